#!/usr/bin/env node
// Entry of `npx guardian …`, `npm start` and `npm run demo`: TypeScript runs through tsx,
// so a fresh clone needs nothing but `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
