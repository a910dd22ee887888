import { expect, test } from 'vitest';
import { pageRoundOf } from '../../api/services/alert-actions-service.js';
import { pageRound } from '../../dispatcher/notification-rounds.js';

// The API waits for the dispatcher's page round of a manual escalation without importing the
// dispatcher (DESIGN §8): the two spell the round the same way.
test('the API and the dispatcher name a level\'s page round alike', () => {
  for (const level of [0, 1, 2, 3, 7]) expect(pageRoundOf(level)).toBe(pageRound(level));
});
