// The scenario language's public surface: parse, compose, validate, format, prepare for the engine.
export { CODES, type Diagnostic, formatDiagnostic, hasErrors, type Severity } from './diagnostics.ts';
export { formatText } from './format.ts';
export {
  type Applied,
  applyInterventions,
  applySets,
  canonicalJson,
  compileDocument,
  contentHash,
  expandInterventions,
  type Files,
  filesIo,
  type Loaded,
  type LoadIo,
  loadDocument,
  type Prepared,
  type PrepareOptions,
  prepare,
  prepareFiles,
  prepareLoaded,
  resolveRelative,
  validateFile,
} from './load.ts';
export { getPath, mergePatch, setPath } from './merge.ts';
export { type Locations, locate, parseText, type SourcePos } from './parse.ts';
export { FORMAT_VERSION, Scenario, type ScenarioInput, scenarioJsonSchema } from './schema.ts';
