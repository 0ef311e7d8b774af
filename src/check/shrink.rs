//! Shrinking a failing generated request to a small one that still fails the same way: fewer
//! records (halves, then one at a time), then each value simpler — `null`, `""` / `0` / `false`,
//! a string cut to the shortest prefix that still fails (a binary search), a nested table with
//! fewer rows. Every candidate keeps the request valid: the header and each record's width never
//! change, and `null` is valid in any column. The oracle (does this body still fail?) is the
//! caller's; shrinking stops after a number of tries.

use std::future::Future;

use super::generate::{Gen, Grid};

/// A request's size, as the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Size {
    pub(crate) records: usize,
    pub(crate) bytes: usize,
    /// The longest string in it, in characters.
    pub(crate) longest: usize,
}

impl Size {
    pub(crate) fn of(grid: &Grid) -> Size {
        Size {
            records: grid.rows.len(),
            bytes: grid.body().len(),
            longest: grid.longest_string(),
        }
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "records": self.records,
            "bytes": self.bytes,
            "longest_string": self.longest,
        })
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, {} bytes, longest string {} chars",
            crate::render::plural(self.records, "record"),
            self.bytes,
            self.longest
        )
    }
}

/// Where a value is: (record, column) steps from the body's table down through nested tables.
type Path = Vec<(usize, usize)>;

fn cell_mut<'a>(grid: &'a mut Grid, path: &[(usize, usize)]) -> Option<&'a mut Gen> {
    let ((row, col), rest) = path.split_first()?;
    let cell = grid.rows.get_mut(*row)?.get_mut(*col)?;
    match (rest.is_empty(), cell) {
        (true, cell) => Some(cell),
        (false, Gen::Table(nested)) => cell_mut(nested, rest),
        _ => None,
    }
}

/// The table at `path`: the body's own when `path` is empty, else the nested table there.
fn table_mut<'a>(grid: &'a mut Grid, path: &[(usize, usize)]) -> Option<&'a mut Grid> {
    if path.is_empty() {
        return Some(grid);
    }
    match cell_mut(grid, path)? {
        Gen::Table(nested) => Some(nested),
        _ => None,
    }
}

fn with_cell(grid: &Grid, path: &[(usize, usize)], value: Gen) -> Grid {
    let mut out = grid.clone();
    if let Some(cell) = cell_mut(&mut out, path) {
        *cell = value;
    }
    out
}

fn with_rows(grid: &Grid, path: &[(usize, usize)], keep: &[usize]) -> Grid {
    let mut out = grid.clone();
    if let Some(table) = table_mut(&mut out, path) {
        *table = table.with_rows(keep);
    }
    out
}

/// Shrinks with an oracle, counting its calls.
struct Shrinker<F> {
    fails: F,
    tries: usize,
    limit: usize,
}

impl<F, Fut> Shrinker<F>
where
    F: FnMut(Grid) -> Fut,
    Fut: Future<Output = bool>,
{
    /// Whether `candidate` still fails (false once the tries are spent).
    async fn fails(&mut self, candidate: &Grid) -> bool {
        if self.tries >= self.limit {
            return false;
        }
        self.tries += 1;
        (self.fails)(candidate.clone()).await
    }

    /// Fewer rows in the table at `path`: either half, then each row left out, until nothing
    /// smaller fails (never fewer than one record in the request itself).
    async fn rows(&mut self, mut best: Grid, path: &Path) -> Grid {
        loop {
            let n = table_mut(&mut best.clone(), path).map_or(0, |t| t.rows.len());
            if n == 0 {
                return best;
            }
            let mut keeps: Vec<Vec<usize>> = Vec::new();
            if n > 1 {
                keeps.push((0..n / 2).collect());
                keeps.push((n / 2..n).collect());
            }
            if n <= 32 {
                keeps.extend((0..n).map(|drop| (0..n).filter(|&i| i != drop).collect()));
            }
            // A request keeps one record at least (Spark never sends none); a nested table may
            // lose them all.
            keeps.retain(|keep| !(path.is_empty() && keep.is_empty()));
            let mut shrunk = false;
            for keep in keeps {
                let candidate = with_rows(&best, path, &keep);
                if self.fails(&candidate).await {
                    best = candidate;
                    shrunk = true;
                    break;
                }
            }
            if !shrunk {
                return best;
            }
        }
    }

    /// The shortest prefix of the string at `path` that still fails (the whole one fails).
    async fn string(&mut self, mut best: Grid, path: &Path, text: &str) -> Grid {
        let chars: Vec<char> = text.chars().collect();
        let (mut lo, mut hi) = (0, chars.len());
        while hi - lo > 1 && self.tries < self.limit {
            let mid = lo + (hi - lo) / 2;
            let candidate = with_cell(&best, path, Gen::Str(chars[..mid].iter().collect()));
            if self.fails(&candidate).await {
                hi = mid;
                best = candidate;
            } else {
                lo = mid;
            }
        }
        best
    }

    /// Each value simpler, depth first through nested tables.
    async fn values(&mut self, mut best: Grid) -> Grid {
        let mut work: Vec<Path> = top_paths(&best);
        while let Some(path) = work.pop() {
            let Some(cell) = cell_mut(&mut best.clone(), &path).cloned() else {
                continue;
            };
            if cell == Gen::Null {
                continue;
            }
            let null = with_cell(&best, &path, Gen::Null);
            if self.fails(&null).await {
                best = null;
                continue;
            }
            best = match cell {
                Gen::Str(text) => {
                    let empty = with_cell(&best, &path, Gen::Str(String::new()));
                    if !text.is_empty() && self.fails(&empty).await {
                        empty
                    } else {
                        self.string(best, &path, &text).await
                    }
                }
                Gen::Num(text) if text != "0" => {
                    let zero = with_cell(&best, &path, Gen::Num("0".to_string()));
                    if self.fails(&zero).await {
                        zero
                    } else {
                        best
                    }
                }
                Gen::Table(_) => {
                    let shrunk = self.rows(best, &path).await;
                    if let Some(Gen::Table(t)) = cell_mut(&mut shrunk.clone(), &path) {
                        for row in (0..t.rows.len()).rev() {
                            for col in (0..t.header.len()).rev() {
                                let mut deeper = path.clone();
                                deeper.push((row, col));
                                work.push(deeper);
                            }
                        }
                    }
                    shrunk
                }
                _ => best,
            };
        }
        best
    }
}

/// The paths of the body's own cells, last first (so popping visits them in order).
fn top_paths(grid: &Grid) -> Vec<Path> {
    let mut paths = Vec::new();
    for row in (0..grid.rows.len()).rev() {
        for col in (0..grid.header.len()).rev() {
            paths.push(vec![(row, col)]);
        }
    }
    paths
}

/// `grid` shrunk while `fails` holds, with at most `limit` calls of it; the smallest failing
/// request found and the calls made.
pub(crate) async fn shrink<F, Fut>(grid: Grid, fails: F, limit: usize) -> (Grid, usize)
where
    F: FnMut(Grid) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut shrinker = Shrinker {
        fails,
        tries: 0,
        limit,
    };
    let fewer = shrinker.rows(grid, &Vec::new()).await;
    let simpler = shrinker.values(fewer).await;
    let best = shrinker.rows(simpler, &Vec::new()).await;
    (best, shrinker.tries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: usize) -> Grid {
        Grid {
            header: vec!["s".into(), "n".into(), "t".into()],
            rows: (0..rows)
                .map(|i| {
                    vec![
                        Gen::Str(if i == rows / 2 {
                            "x".repeat(5000)
                        } else {
                            "ok".into()
                        }),
                        Gen::Num(i.to_string()),
                        Gen::Table(Grid {
                            header: vec!["k".into()],
                            rows: vec![vec![Gen::Num("1".into())]; 3],
                        }),
                    ]
                })
                .collect(),
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        crate::http::block_on(f).unwrap()
    }

    /// A "service" that crashes on strings over 1,000 characters: the shrunk request is one
    /// record whose string is 1,001 characters, everything else `null`.
    #[test]
    fn a_long_string_failure_shrinks_to_one_record_of_1001_characters() {
        let fails = |g: Grid| async move { g.longest_string() > 1000 };
        let (best, tries) = block_on(shrink(grid(300), fails, 1000));
        assert_eq!(best.rows.len(), 1);
        assert_eq!(best.longest_string(), 1001);
        assert_eq!(best.rows[0][1], Gen::Null);
        assert_eq!(best.rows[0][2], Gen::Null);
        assert!(tries < 200, "{tries} tries");
    }

    /// A failure that needs two records keeps two; one needing a nested row keeps one row.
    #[test]
    fn shrinking_keeps_what_the_failure_needs() {
        let two = |g: Grid| async move { g.rows.len() >= 2 };
        let (best, _) = block_on(shrink(grid(50), two, 1000));
        assert_eq!(best.rows.len(), 2);
        let nested = |g: Grid| async move {
            g.rows
                .iter()
                .any(|r| matches!(&r[2], Gen::Table(t) if !t.rows.is_empty()))
        };
        let (best, _) = block_on(shrink(grid(9), nested, 1000));
        let Gen::Table(t) = &best.rows[0][2] else {
            panic!("{best:?}")
        };
        assert_eq!((best.rows.len(), t.rows.len()), (1, 1));
        assert_eq!(t.rows[0][0], Gen::Null);
    }

    #[test]
    fn the_limit_bounds_the_tries() {
        let always = |_: Grid| async move { true };
        let (_, tries) = block_on(shrink(grid(300), always, 5));
        assert_eq!(tries, 5);
        let (best, _) = block_on(shrink(grid(3), always, 1000));
        assert_eq!(best.rows.len(), 1, "a request keeps one record");
    }
}
