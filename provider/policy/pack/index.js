// Entry point of the shipped policy pack. The policies live in the compiled package (provider/policy/*.ts);
// @pulumi/policy reads the pack's version from the package.json beside this file.
"use strict";
require("../../../dist/provider/policy").createPolicyPack();
