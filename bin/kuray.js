#!/usr/bin/env node
// Node >= 22.18 strips TypeScript types natively, so the CLI runs from its sources.
import '../src/cli/main.ts';
