/** Registers the commands that live in their own files (export, emulator). */
export {};
import "./export";
import "./emulator";
