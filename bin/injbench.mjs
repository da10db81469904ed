#!/usr/bin/env node
// Runs the TypeScript command line directly through tsx, so `npx injbench` needs no build step.
import { tsImport } from 'tsx/esm/api';

await tsImport('../cli/main.ts', import.meta.url);
