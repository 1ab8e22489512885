/**
 * Why a transaction has its category when someone other than the categorizer set it; `null`
 * for the categorizer (and suggestions), whose own explanation is asked for instead.
 */
export function categoryReason(source: string | null | undefined): string | null {
  switch (source) {
    case 'user': return 'Set by you.';
    case 'rule': return 'Filed by one of your rules.';
    case 'import': return "From the bank file's own category column.";
    default: return null;
  }
}
