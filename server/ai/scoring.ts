// Scoring an AI answer against what the business expects: the share of expected facts the answer
// states (a fact is a phrase such as "Rp 85.000" or "09.00-21.00", matched loosely: case, accents,
// spacing and punctuation do not matter) and the share of the expected answer's keywords it uses.
// Deterministic and explainable: the same answer always gets the same score.
import { containsPhrase, keywords, normalize, words } from './text.js';

export interface Expectation {
  expectedAnswer?: string | null;
  expectedFacts?: string[];
}

export interface CaseScore {
  score: number;
  matchedFacts: string[];
  missingFacts: string[];
  /** Share of the expected answer's keywords present in the answer; null without an expected answer. */
  answerRecall: number | null;
}

const compact = (s: string) => normalize(s).replace(/[^\p{L}\p{N}]+/gu, '');

export function factPresent(answer: string, fact: string): boolean {
  const c = compact(fact);
  return c.length > 0 && (containsPhrase(answer, fact) || compact(answer).includes(c));
}

export function scoreAnswer(answer: string, expected: Expectation): CaseScore {
  const facts = (expected.expectedFacts ?? []).filter((f) => f.trim());
  const matchedFacts = facts.filter((f) => factPresent(answer, f));
  const missingFacts = facts.filter((f) => !matchedFacts.includes(f));
  let answerRecall: number | null = null;
  if (expected.expectedAnswer?.trim()) {
    const want = keywords(expected.expectedAnswer, 40);
    const have = new Set(words(answer));
    const hit = want.filter(
      (w) => have.has(w) || (w.length >= 4 && [...have].some((h) => h.startsWith(w) || (w.startsWith(h) && h.length >= 4))),
    );
    answerRecall = want.length ? hit.length / want.length : 1;
  }
  const parts = [facts.length ? matchedFacts.length / facts.length : null, answerRecall].filter((p): p is number => p !== null);
  const score = parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : 0;
  return {
    score: Math.round(score * 1000) / 1000,
    matchedFacts,
    missingFacts,
    answerRecall: answerRecall === null ? null : Math.round(answerRecall * 1000) / 1000,
  };
}
