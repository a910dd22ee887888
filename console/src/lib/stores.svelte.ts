import { frameScheduler, LiveStore } from './live.svelte';
import { loadDispatch, loadMine } from './loaders';

/**
 * The app's live stores, created once: the dispatch room's (whole community, households
 * included) and the responder's own. App.svelte starts the one the signed-in role needs and
 * stops it on sign-out, so moving between screens never reloads 5,000 households.
 */
// Both feeds are filtered to the user's scope (operators: their communities), so seqs skip numbers.
export const dispatchLive = new LiveStore({ load: loadDispatch, households: true, strictSeq: false, schedule: frameScheduler });
export const myLive = new LiveStore({ load: loadMine, households: false, strictSeq: false, schedule: frameScheduler });
