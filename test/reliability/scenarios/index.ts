/** Every scenario of the reliability suite, in the order the table lists them. */
import type { Scenario } from "../scenario";
import { configScenarios } from "./config";
import { emulatorScenarios } from "./emulator";
import { faultScenarios } from "./faults";
import { killScenarios } from "./kill";
import { lagScenarios } from "./lag";
import { secretsScenarios } from "./secrets";

export const SCENARIOS: Scenario[] = [
  ...configScenarios,
  ...killScenarios,
  ...lagScenarios,
  ...faultScenarios,
  ...secretsScenarios,
  ...emulatorScenarios,
];
