// The generic crisis model's pure math lives with the scenario language (features turn into kernels there).
export * from '../scenario/generic-model.ts';
