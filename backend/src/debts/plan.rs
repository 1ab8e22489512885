//! How a debt payoff plan is computed. A pure function over plain values: no database, no HTTP.
//!
//! Money is `i64` minor units (cents); rates are integer basis points (1 bp = 0.01 % APR); months
//! are counted from the plan's first month (0). The rules, in the order they apply each month:
//!
//! 1. Every open debt is charged interest at its rate for the month / 12 on its balance, rounded
//!    to the cent half to even. The rate is the promotional rate during the promotion's months,
//!    the APR after.
//! 2. Every open debt receives its minimum (never more than it owes): a fixed amount, a percentage
//!    of the balance after interest (rounded half to even) with a floor amount, or, for an
//!    installment loan, the annuity payment, whose last month settles whatever is left.
//! 3. The rest of the budget, plus this month's one-off extra payments, goes to the debts in the
//!    strategy's order: the first open debt gets as much as it owes, what exceeds its balance
//!    spills to the next one in the same month. A paid-off debt's minimum therefore rolls into
//!    the budget for the others.
//!
//! Strategy orders are fixed from the figures at the start: avalanche takes the highest APR first,
//! snowball the smallest balance first, custom the order given; ties go by name. Minimums are
//! obligations: they are paid in full even in a month where they exceed the budget (an
//! installment's settling payment, a percentage minimum that grew), and nothing is left then for
//! extra principal.
//!
//! The plan ends when every debt is paid, after 50 years, or as soon as it is clear that it can
//! never end: the total owed did not fall this month while no promotion and no extra payment is
//! still to come, so payments do not cover the interest and every later month is the same.
//!
//! Why integers and `num-bigint`: the annuity payment `B·r / (1 − (1 + r)^−n)` with
//! `r = apr / 12` is evaluated exactly as the fraction `B·bp·a^n / (120000·(a^n − 120000^n))`
//! with `a = 120000 + bp`, then rounded half to even, so the figure matches a hand calculation to
//! the cent for any term. The powers have hundreds of digits; `num-bigint` is already in the
//! dependency tree (via smartcore), so this costs no build time, unlike a decimal crate, and a
//! float would get the half-cent cases wrong.

use num_bigint::BigInt;
use num_integer::Integer;

/// Planning stops after 50 years.
pub const MAX_MONTHS: u32 = 50 * 12;

/// One year of months times basis points per unit: a monthly rate is `bp / 120000`.
const MONTHLY_RATE_DENOMINATOR: i128 = 12 * 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Minimum {
    Fixed(i64),
    /// `percent_bp` of the balance after interest, at least `floor`.
    Percent {
        percent_bp: i64,
        floor: i64,
    },
    /// An installment loan: the annuity payment over `months` payments at the APR.
    Installment {
        months: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Debt {
    pub name: String,
    pub balance: i64,
    pub apr_bp: i64,
    pub minimum: Minimum,
    /// A promotional rate for the first `months` months of the plan.
    pub promo: Option<Promo>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Promo {
    pub apr_bp: i64,
    pub months: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    Avalanche,
    Snowball,
    /// Indices into the debts, first target first; every debt exactly once.
    Custom(Vec<usize>),
}

/// A one-off payment on top of the budget in a given month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extra {
    pub month: u32,
    pub amount: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub month: u32,
    pub payment: i64,
    pub interest: i64,
    /// `payment − interest`; negative when the payment did not cover the interest.
    pub principal: i64,
    /// Owed after this month's payment.
    pub balance: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebtSchedule {
    /// One row per month from the first until the debt is paid (or the plan ends).
    pub rows: Vec<Row>,
    /// The month of the last payment; `None` when it is not paid within the plan.
    pub payoff_month: Option<u32>,
    pub total_interest: i64,
    pub total_paid: i64,
    /// False when the first month's minimum does not cover that month's interest.
    pub minimum_covers_interest: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Every debt is paid; the month of the last payment.
    DebtFree { month: u32 },
    /// The payments stopped reducing what is owed; the debts left would never be paid.
    NeverEnds,
    /// Still owing after 50 years.
    Horizon,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// In the order of the debts given.
    pub debts: Vec<DebtSchedule>,
    /// Months planned: up to and including the last one with a payment.
    pub months: u32,
    pub total_interest: i64,
    pub total_paid: i64,
    pub ending: Ending,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// The budget is below the first month's minimums by `shortfall`.
    BudgetBelowMinimums { minimums: i64, shortfall: i64 },
    /// The figures grow past what can be represented (absurd rates over decades).
    TooLarge,
}

/// `num / den` rounded to the nearest integer, halves to the even neighbour. `den > 0`.
pub fn round_half_even(num: i128, den: i128) -> i128 {
    let quotient = num.div_euclid(den);
    let twice_rest = 2 * num.rem_euclid(den);
    if twice_rest > den || (twice_rest == den && quotient % 2 != 0) {
        quotient + 1
    } else {
        quotient
    }
}

/// One month's interest on `balance` at `apr_bp`.
pub fn monthly_interest(balance: i64, apr_bp: i64) -> Result<i64, PlanError> {
    let exact = i128::from(balance) * i128::from(apr_bp);
    i64::try_from(round_half_even(exact, MONTHLY_RATE_DENOMINATOR)).map_err(|_| PlanError::TooLarge)
}

/// The level monthly payment that repays `balance` in `months` payments at `apr_bp`, rounded to
/// the cent half to even (evaluated exactly; see the module's notes).
pub fn annuity_payment(balance: i64, apr_bp: i64, months: u32) -> Result<i64, PlanError> {
    if months == 0 {
        return Ok(balance);
    }
    if apr_bp == 0 {
        let rounded = round_half_even(i128::from(balance), i128::from(months));
        return i64::try_from(rounded).map_err(|_| PlanError::TooLarge);
    }
    let d = BigInt::from(MONTHLY_RATE_DENOMINATOR);
    let a = BigInt::from(MONTHLY_RATE_DENOMINATOR + i128::from(apr_bp));
    let a_n = a.pow(months);
    let num = BigInt::from(balance) * apr_bp * &a_n;
    let den = &d * (&a_n - d.pow(months));
    let (quotient, rest) = num.div_rem(&den);
    let twice_rest = rest * 2;
    let up = twice_rest > den || (twice_rest == den && quotient.bit(0));
    let rounded = if up { quotient + 1 } else { quotient };
    i64::try_from(rounded).map_err(|_| PlanError::TooLarge)
}

fn add(a: i64, b: i64) -> Result<i64, PlanError> {
    a.checked_add(b).ok_or(PlanError::TooLarge)
}

/// The order in which a strategy targets the debts.
pub fn order(debts: &[Debt], strategy: &Strategy) -> Vec<usize> {
    let mut order: Vec<usize> = (0..debts.len()).collect();
    match strategy {
        Strategy::Avalanche => order.sort_by(|&a, &b| {
            (debts[b].apr_bp.cmp(&debts[a].apr_bp)).then(debts[a].name.cmp(&debts[b].name))
        }),
        Strategy::Snowball => order.sort_by(|&a, &b| {
            (debts[a].balance.cmp(&debts[b].balance)).then(debts[a].name.cmp(&debts[b].name))
        }),
        Strategy::Custom(given) => return given.clone(),
    }
    order
}

/// A debt's state while planning.
struct Open<'a> {
    debt: &'a Debt,
    balance: i64,
    /// The annuity payment of an installment loan.
    annuity: Option<i64>,
    schedule: DebtSchedule,
}

impl Open<'_> {
    fn rate(&self, month: u32) -> i64 {
        match self.debt.promo {
            Some(promo) if month < promo.months => promo.apr_bp,
            _ => self.debt.apr_bp,
        }
    }

    /// What the minimum asks this month, from the balance after interest.
    fn minimum(&self, month: u32) -> Result<i64, PlanError> {
        let asked = match (self.debt.minimum, self.annuity) {
            (Minimum::Installment { months }, Some(_)) if month + 1 >= months => self.balance,
            (_, Some(annuity)) => annuity,
            (Minimum::Fixed(amount), None) => amount,
            (Minimum::Percent { percent_bp, floor }, None) => {
                let share =
                    round_half_even(i128::from(self.balance) * i128::from(percent_bp), 10_000);
                i64::try_from(share)
                    .map_err(|_| PlanError::TooLarge)?
                    .max(floor)
            }
            (Minimum::Installment { .. }, None) => unreachable!("installments have an annuity"),
        };
        Ok(asked.min(self.balance))
    }
}

/// The debts with what every strategy's plan needs computed once: each installment loan's annuity
/// (exact big-integer arithmetic, the costly part of a plan) and the first month's minimums.
pub struct Prepared<'a> {
    debts: &'a [Debt],
    annuities: Vec<Option<i64>>,
    /// What the budget must at least cover.
    pub first_minimums: i64,
}

impl<'a> Prepared<'a> {
    pub fn new(debts: &'a [Debt]) -> Result<Self, PlanError> {
        let annuities = debts
            .iter()
            .map(|debt| match debt.minimum {
                Minimum::Installment { months } => {
                    annuity_payment(debt.balance, debt.apr_bp, months).map(Some)
                }
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut prepared = Prepared {
            debts,
            annuities,
            first_minimums: 0,
        };
        let mut total = 0;
        for debt in &mut prepared.start() {
            let interest = monthly_interest(debt.balance, debt.rate(0))?;
            debt.balance = add(debt.balance, interest)?;
            total = add(total, debt.minimum(0)?)?;
        }
        prepared.first_minimums = total;
        Ok(prepared)
    }

    fn start(&self) -> Vec<Open<'a>> {
        self.debts
            .iter()
            .zip(&self.annuities)
            .map(|(debt, &annuity)| Open {
                debt,
                balance: debt.balance,
                annuity,
                schedule: DebtSchedule {
                    rows: Vec::new(),
                    payoff_month: None,
                    total_interest: 0,
                    total_paid: 0,
                    minimum_covers_interest: true,
                },
            })
            .collect()
    }
    /// Plans the payoff with `budget` a month (`None`: each debt pays only its own minimum,
    /// nothing rolls over and extras are ignored) in the `strategy`'s order.
    pub fn plan(
        &self,
        budget: Option<i64>,
        strategy: &Strategy,
        extras: &[Extra],
    ) -> Result<Schedule, PlanError> {
        self.run(budget, strategy, extras, true)
    }

    /// The same plan's totals, payoff months and ending without its month-by-month rows (left
    /// empty): what comparing strategies needs, at a fraction of the memory.
    pub fn outcome(
        &self,
        budget: Option<i64>,
        strategy: &Strategy,
        extras: &[Extra],
    ) -> Result<Schedule, PlanError> {
        self.run(budget, strategy, extras, false)
    }

    fn run(
        &self,
        budget: Option<i64>,
        strategy: &Strategy,
        extras: &[Extra],
        keep_rows: bool,
    ) -> Result<Schedule, PlanError> {
        if let Some(budget) = budget {
            if budget < self.first_minimums {
                return Err(PlanError::BudgetBelowMinimums {
                    minimums: self.first_minimums,
                    shortfall: self.first_minimums - budget,
                });
            }
        }
        let debts = self.debts;
        let order = order(debts, strategy);
        let mut open = self.start();
        let last_extra = extras.iter().map(|e| e.month).max();
        let last_promo = debts.iter().filter_map(|d| d.promo.map(|p| p.months)).max();
        let mut ending = Ending::Horizon;
        let mut months = 0;
        let mut interest = vec![0; open.len()];
        let mut paid = vec![0; open.len()];
        for month in 0..MAX_MONTHS {
            let owed_before = open.iter().try_fold(0, |sum, d| add(sum, d.balance))?;
            if owed_before == 0 {
                break;
            }
            interest.fill(0);
            paid.fill(0);
            for (i, debt) in open.iter_mut().enumerate() {
                if debt.balance > 0 {
                    interest[i] = monthly_interest(debt.balance, debt.rate(month))?;
                    debt.balance = add(debt.balance, interest[i])?;
                }
            }
            let mut money = match budget {
                Some(budget) => extras
                    .iter()
                    .filter(|e| e.month == month)
                    .try_fold(budget, |sum, e| add(sum, e.amount))?,
                // Minimums only: nothing beyond them, so nothing rolls over.
                None => 0,
            };
            for &i in &order {
                let due = open[i].minimum(month)?;
                if month == 0 && due < interest[i] {
                    open[i].schedule.minimum_covers_interest = false;
                }
                paid[i] = due;
                open[i].balance -= due;
                money = (money - due).max(0);
            }
            for &i in &order {
                let more = open[i].balance.min(money);
                paid[i] += more;
                open[i].balance -= more;
                money -= more;
            }
            for (i, debt) in open.iter_mut().enumerate() {
                if interest[i] == 0 && paid[i] == 0 && debt.balance == 0 {
                    continue;
                }
                months = month + 1;
                let schedule = &mut debt.schedule;
                if keep_rows {
                    schedule.rows.push(Row {
                        month,
                        payment: paid[i],
                        interest: interest[i],
                        principal: paid[i] - interest[i],
                        balance: debt.balance,
                    });
                }
                schedule.total_interest = add(schedule.total_interest, interest[i])?;
                schedule.total_paid = add(schedule.total_paid, paid[i])?;
                if debt.balance == 0 {
                    schedule.payoff_month = Some(month);
                }
            }
            let owed_after = open.iter().try_fold(0, |sum, d| add(sum, d.balance))?;
            if owed_after == 0 {
                ending = Ending::DebtFree { month };
                break;
            }
            let more_to_come = last_extra.is_some_and(|m| m > month && budget.is_some())
                || last_promo.is_some_and(|m| m > month + 1);
            if owed_after >= owed_before && !more_to_come {
                ending = Ending::NeverEnds;
                break;
            }
        }
        let debts: Vec<DebtSchedule> = open.into_iter().map(|d| d.schedule).collect();
        Ok(Schedule {
            total_interest: debts
                .iter()
                .try_fold(0, |sum, d| add(sum, d.total_interest))?,
            total_paid: debts.iter().try_fold(0, |sum, d| add(sum, d.total_paid))?,
            debts,
            months,
            ending,
        })
    }
}

/// Plans the payoff of `debts` with `budget` a month (`None`: minimums only) in the
/// `strategy`'s order. Several plans of the same debts share one [`Prepared`].
pub fn plan(
    debts: &[Debt],
    budget: Option<i64>,
    strategy: &Strategy,
    extras: &[Extra],
) -> Result<Schedule, PlanError> {
    Prepared::new(debts)?.plan(budget, strategy, extras)
}

/// The first month's minimums, what the budget must at least cover.
pub fn first_minimums(debts: &[Debt]) -> Result<i64, PlanError> {
    Ok(Prepared::new(debts)?.first_minimums)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loan(balance: i64, apr_bp: i64, months: u32) -> Debt {
        Debt {
            name: "loan".into(),
            balance,
            apr_bp,
            minimum: Minimum::Installment { months },
            promo: None,
        }
    }

    fn card(name: &str, balance: i64, apr_bp: i64, minimum: i64) -> Debt {
        Debt {
            name: name.into(),
            balance,
            apr_bp,
            minimum: Minimum::Fixed(minimum),
            promo: None,
        }
    }

    fn minimums_only(debt: Debt) -> Schedule {
        plan(&[debt], None, &Strategy::Avalanche, &[]).unwrap()
    }

    #[test]
    fn rounds_halves_to_even() {
        assert_eq!(round_half_even(5, 2), 2);
        assert_eq!(round_half_even(7, 2), 4);
        assert_eq!(round_half_even(-5, 2), -2);
        assert_eq!(round_half_even(-7, 2), -4);
        assert_eq!(round_half_even(26, 10), 3);
        assert_eq!(round_half_even(24, 10), 2);
        // At 6 % a month's interest is balance / 200: 1,001.00 gives 5.005 and 1,003.00 gives
        // 5.015; both halves go to the even cent.
        assert_eq!(monthly_interest(100_100, 600).unwrap(), 500);
        assert_eq!(monthly_interest(100_300, 600).unwrap(), 502);
        assert_eq!(monthly_interest(100_099, 600).unwrap(), 500);
        assert_eq!(monthly_interest(100_101, 600).unwrap(), 501);
    }

    #[test]
    fn mortgage_of_100k_at_6_percent_over_30_years() {
        assert_eq!(annuity_payment(10_000_000, 600, 360).unwrap(), 59_955);
        let schedule = minimums_only(loan(10_000_000, 600, 360));
        let rows = &schedule.debts[0].rows;
        assert_eq!(rows.len(), 360);
        assert!(rows[..359].iter().all(|r| r.payment == 59_955));
        assert_eq!(rows[359].payment, 60_000);
        assert_eq!(schedule.total_interest, 11_583_845);
        assert_eq!(schedule.total_paid, 10_000_000 + 11_583_845);
        assert_eq!(schedule.ending, Ending::DebtFree { month: 359 });
        assert_eq!(schedule.debts[0].payoff_month, Some(359));
    }

    #[test]
    fn mortgage_of_200k_at_3_25_percent_over_15_years() {
        assert_eq!(annuity_payment(20_000_000, 325, 180).unwrap(), 140_534);
        let schedule = minimums_only(loan(20_000_000, 325, 180));
        let rows = &schedule.debts[0].rows;
        assert_eq!(rows.len(), 180);
        assert_eq!(rows[179].payment, 140_495);
        assert_eq!(schedule.total_interest, 5_296_081);
    }

    #[test]
    fn short_loan_of_10k_at_8_percent() {
        assert_eq!(annuity_payment(1_000_000, 800, 10).unwrap(), 103_703);
        let schedule = minimums_only(loan(1_000_000, 800, 10));
        assert_eq!(schedule.debts[0].rows.len(), 10);
        assert_eq!(schedule.total_paid, 1_000_000 + schedule.total_interest);
    }

    #[test]
    fn interest_free_installments_split_evenly_and_settle_the_rest() {
        assert_eq!(annuity_payment(100_000, 0, 3).unwrap(), 33_333);
        let schedule = minimums_only(loan(100_000, 0, 3));
        let payments: Vec<i64> = schedule.debts[0].rows.iter().map(|r| r.payment).collect();
        assert_eq!(payments, [33_333, 33_333, 33_334]);
    }

    /// The same rules written as one loop over balances, month by month, without the planner's
    /// structure: all debts here have fixed minimums.
    fn independent(debts: &[(&str, i64, i64, i64)], order: &[&str], budget: i64) -> (i64, u32) {
        let mut balances: Vec<i64> = debts.iter().map(|d| d.1).collect();
        let mut interest_total = 0i64;
        let mut month = 0;
        while balances.iter().any(|&b| b > 0) {
            let mut left = budget;
            for (k, d) in debts.iter().enumerate() {
                if balances[k] == 0 {
                    continue;
                }
                // half to even by hand: exact hundredths of a cent, then look at the remainder.
                let scaled = balances[k] as i128 * d.2 as i128;
                let (q, r) = (scaled / 120_000, scaled % 120_000);
                let i = if r * 2 > 120_000 || (r * 2 == 120_000 && q % 2 == 1) {
                    q + 1
                } else {
                    q
                } as i64;
                interest_total += i;
                balances[k] += i;
                let pay = d.3.min(balances[k]);
                balances[k] -= pay;
                left -= pay;
            }
            for name in order {
                let k = debts.iter().position(|d| d.0 == *name).unwrap();
                let pay = balances[k].min(left);
                balances[k] -= pay;
                left -= pay;
            }
            month += 1;
        }
        (interest_total, month)
    }

    #[test]
    fn snowball_and_avalanche_differ_and_match_an_independent_count() {
        let raw = [
            ("Car", 450_000, 499, 15_000),
            ("Store card", 80_000, 2_499, 2_500),
            ("Visa", 600_000, 1_899, 12_000),
        ];
        let debts: Vec<Debt> = raw
            .iter()
            .map(|&(name, balance, apr, min)| card(name, balance, apr, min))
            .collect();
        let budget = 60_000;
        let avalanche = plan(&debts, Some(budget), &Strategy::Avalanche, &[]).unwrap();
        let snowball = plan(&debts, Some(budget), &Strategy::Snowball, &[]).unwrap();
        let (a_interest, a_months) = independent(&raw, &["Store card", "Visa", "Car"], budget);
        let (s_interest, s_months) = independent(&raw, &["Store card", "Car", "Visa"], budget);
        assert_eq!(avalanche.total_interest, a_interest);
        assert_eq!(snowball.total_interest, s_interest);
        assert_eq!(
            avalanche.ending,
            Ending::DebtFree {
                month: a_months - 1
            }
        );
        assert_eq!(
            snowball.ending,
            Ending::DebtFree {
                month: s_months - 1
            }
        );
        assert!(avalanche.total_interest < snowball.total_interest);
        for schedule in [&avalanche, &snowball] {
            assert_eq!(schedule.total_paid, 1_130_000 + schedule.total_interest);
            for debt in &schedule.debts {
                assert_eq!(debt.rows.last().unwrap().balance, 0);
            }
        }
        // The snowball pays the car (the smaller balance) off before the Visa.
        assert!(snowball.debts[0].payoff_month < snowball.debts[2].payoff_month);
        assert!(avalanche.debts[2].payoff_month < avalanche.debts[0].payoff_month);
        assert_eq!(avalanche.months, a_months);
        assert_eq!(snowball.months, s_months);
    }

    #[test]
    fn an_outcome_is_the_plan_without_its_rows() {
        let mut promo = card("Promo", 100_000, 2_400, 10_000);
        promo.promo = Some(Promo {
            apr_bp: 0,
            months: 3,
        });
        let debts = [
            card("A", 10_000, 1_200, 1_000),
            card("B", 50_000, 0, 1_000),
            loan(1_000_000, 800, 10),
            promo,
        ];
        let prepared = Prepared::new(&debts).unwrap();
        let extras = [Extra {
            month: 2,
            amount: 50_000,
        }];
        for (budget, strategy) in [
            (Some(200_000), Strategy::Avalanche),
            (Some(200_000), Strategy::Snowball),
            (None, Strategy::Avalanche),
        ] {
            let mut full = prepared.plan(budget, &strategy, &extras).unwrap();
            let outcome = prepared.outcome(budget, &strategy, &extras).unwrap();
            assert!(outcome.debts.iter().all(|d| d.rows.is_empty()));
            let rows: Vec<usize> = full.debts.iter().map(|d| d.rows.len()).collect();
            assert_eq!(full.months as usize, rows.into_iter().max().unwrap());
            full.debts.iter_mut().for_each(|d| d.rows.clear());
            assert_eq!(full, outcome);
        }
    }

    #[test]
    fn every_month_charges_interest_pays_minimums_then_spills_to_the_next_target() {
        let debts = [card("A", 10_000, 1_200, 1_000), card("B", 50_000, 0, 1_000)];
        let schedule = plan(&debts, Some(20_000), &Strategy::Snowball, &[]).unwrap();
        let a = &schedule.debts[0].rows[0];
        // A: 100.00 + 1.00 interest, all paid at once; the 9,000 beyond its minimum that A
        // did not need (20,000 − 2,000 − 9,100) spills to B in the same month.
        assert_eq!((a.interest, a.payment, a.balance), (100, 10_100, 0));
        let b = &schedule.debts[1].rows[0];
        assert_eq!((b.payment, b.balance), (9_900, 40_100));
        // From the next month A's minimum rolls into B's payment: the whole budget.
        assert_eq!(schedule.debts[1].rows[1].payment, 20_000);
        assert_eq!(schedule.debts[0].rows.len(), 1);
        assert_eq!(schedule.debts[0].payoff_month, Some(0));
    }

    #[test]
    fn ties_go_by_name() {
        let debts = [card("b", 10_000, 1_000, 100), card("a", 10_000, 1_000, 100)];
        assert_eq!(order(&debts, &Strategy::Avalanche), [1, 0]);
        assert_eq!(order(&debts, &Strategy::Snowball), [1, 0]);
    }

    #[test]
    fn a_budget_below_the_minimums_names_the_shortfall() {
        let debts = [card("A", 10_000, 0, 3_000), card("B", 10_000, 0, 2_500)];
        assert_eq!(
            plan(&debts, Some(5_000), &Strategy::Avalanche, &[]),
            Err(PlanError::BudgetBelowMinimums {
                minimums: 5_500,
                shortfall: 500
            })
        );
    }

    #[test]
    fn a_minimum_below_the_interest_never_ends_instead_of_looping() {
        // 10,000.00 at 24 % is 200.00 a month of interest; 150.00 never pays it down.
        let schedule = minimums_only(card("Card", 1_000_000, 2_400, 15_000));
        assert_eq!(schedule.ending, Ending::NeverEnds);
        assert_eq!(schedule.debts[0].rows.len(), 1);
        assert!(!schedule.debts[0].minimum_covers_interest);
        assert_eq!(schedule.debts[0].payoff_month, None);
        // The same card with a budget that covers it ends.
        let paid = plan(
            &[card("Card", 1_000_000, 2_400, 15_000)],
            Some(50_000),
            &Strategy::Avalanche,
            &[],
        )
        .unwrap();
        assert!(matches!(paid.ending, Ending::DebtFree { .. }));
    }

    #[test]
    fn planning_stops_after_fifty_years() {
        // 100,000.00 at 0 % paying 1.00 a month would take 8,333 years.
        let schedule = minimums_only(card("Slow", 10_000_000, 0, 100));
        assert_eq!(schedule.ending, Ending::Horizon);
        assert_eq!(schedule.debts[0].rows.len(), MAX_MONTHS as usize);
        assert_eq!(
            schedule.debts[0].rows.last().unwrap().balance,
            10_000_000 - 60_000
        );
    }

    #[test]
    fn a_promotional_rate_applies_until_its_end_month() {
        let mut debt = card("Promo", 100_000, 2_400, 10_000);
        debt.promo = Some(Promo {
            apr_bp: 0,
            months: 2,
        });
        let rows = minimums_only(debt).debts[0].rows.clone();
        assert_eq!(rows[0].interest, 0);
        assert_eq!(rows[1].interest, 0);
        // Month 3: 80,000 at 2 % a month.
        assert_eq!(rows[2].interest, 1_600);
    }

    #[test]
    fn a_percentage_minimum_has_a_floor() {
        let debt = Debt {
            name: "Card".into(),
            balance: 100_000,
            apr_bp: 0,
            minimum: Minimum::Percent {
                percent_bp: 300,
                floor: 2_500,
            },
            promo: None,
        };
        let schedule = minimums_only(debt.clone());
        // 3 % of 1,000.00 is 30.00; later 3 % falls under the 25.00 floor.
        assert_eq!(schedule.debts[0].rows[0].payment, 3_000);
        let last_percent = schedule.debts[0]
            .rows
            .iter()
            .filter(|r| r.payment > 2_500)
            .count();
        assert!(last_percent > 0 && last_percent < schedule.debts[0].rows.len());
        assert!(schedule.debts[0].rows[last_percent..]
            .iter()
            .all(|r| r.payment == 2_500 || r.balance == 0));
        assert_eq!(first_minimums(&[debt]).unwrap(), 3_000);
    }

    #[test]
    fn extra_payments_go_to_the_target_in_their_month() {
        let debts = [card("A", 100_000, 0, 10_000), card("B", 100_000, 0, 10_000)];
        let extra = [Extra {
            month: 1,
            amount: 50_000,
        }];
        let schedule = plan(&debts, Some(20_000), &Strategy::Avalanche, &extra).unwrap();
        // Avalanche with equal rates goes by name: A gets the extra in month 1.
        assert_eq!(schedule.debts[0].rows[1].payment, 60_000);
        assert_eq!(schedule.debts[0].rows[1].balance, 30_000);
        assert_eq!(schedule.total_paid, 200_000);
        let without = plan(&debts, Some(20_000), &Strategy::Avalanche, &[]).unwrap();
        assert!(schedule.ending != without.ending);
    }

    #[test]
    fn minimums_only_does_not_roll_over() {
        let debts = [card("A", 10_000, 0, 5_000), card("B", 100_000, 0, 5_000)];
        let schedule = plan(&debts, None, &Strategy::Avalanche, &[]).unwrap();
        assert_eq!(schedule.debts[0].payoff_month, Some(1));
        assert_eq!(schedule.debts[1].payoff_month, Some(19));
        assert!(schedule.debts[1].rows.iter().all(|r| r.payment == 5_000));
    }

    #[test]
    fn absurd_figures_are_refused_not_overflowed() {
        let mut huge = card("Huge", i64::MAX / 2, 10_000, 1);
        huge.promo = Some(Promo {
            apr_bp: 9_000,
            months: 100,
        });
        let debts = [huge];
        assert_eq!(
            plan(&debts, None, &Strategy::Avalanche, &[]),
            Err(PlanError::TooLarge)
        );
    }
}
