import { describe, expect, it } from 'vitest';
import type { Schemas } from '../src/api/client';
import { matchSummary, ruleDraft } from '../src/pages/rules';

type Transaction = Schemas['TransactionResponse'];

const transaction = (over: Partial<Transaction>): Transaction => ({
  id: 1, account_id: 1, date: '2026-03-01', amount: -4510, currency: 'EUR',
  description: 'POS 4821 TESCO STORES 3297 LONDON', merchant: null, merchant_name: 'Tesco Stores',
  merchant_key: 'tesco stores', notes: null, category_id: null, category_source: null,
  category_confidence: null, suggested_category_id: null, is_transfer: false, import_id: null,
  created_at: '2026-03-01T00:00:00Z', updated_at: '2026-03-01T00:00:00Z', ...over,
});

describe('the rule a transaction suggests', () => {
  it('looks for the merchant key and files under the category, else the suggestion', () => {
    expect(ruleDraft(transaction({ category_id: 4, suggested_category_id: 9 })))
      .toEqual({ name: 'Tesco Stores', match_kind: 'contains', pattern: 'tesco stores', category_id: 4 });
    expect(ruleDraft(transaction({ suggested_category_id: 9 })).category_id).toBe(9);
  });

  it('picks no category when there is none to go by, and falls back to the description', () => {
    const draft = ruleDraft(transaction({ merchant_key: null, merchant_name: null, description: ' 1234 5678 ' }));
    expect(draft).toEqual({ name: '1234 5678', match_kind: 'contains', pattern: '1234 5678' });
  });

  it('says how many transactions a rule matches', () => {
    expect(matchSummary({ matches: 0, uncategorized: 0, examples: [] })).toBe('Matches none of your transactions yet.');
    expect(matchSummary({ matches: 3, uncategorized: 2, examples: ['TESCO STORES', 'Tesco Oxford'] }))
      .toBe('Matches 3 of your transactions (2 uncategorized), e.g. “TESCO STORES”, “Tesco Oxford”.');
  });
});
