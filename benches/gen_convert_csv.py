#!/usr/bin/env python3
"""Write the `xconn convert` benchmark CSV: ROWS rows of 8 mixed columns (integers, decimals,
exponents, booleans, zip codes with leading zeros, empty cells, quoted commas, embedded newlines,
escaped quotes and non-ASCII text). Deterministic: the same ROWS gives the same file."""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
path = sys.argv[2] if len(sys.argv) > 2 else "bench.csv"
rng = random.Random(42)
cities = ["Zürich", "São Paulo", "Kraków", "東京", "Montréal", "Reykjavík", "Αθήνα", "Dublin"]
words = ["alpha", "beta", "gamma", "delta", "résumé", "naïve", "café", "smörgåsbord"]

with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("id,name,city,amount,score,active,zip,note\n")
    for i in range(1, rows + 1):
        name = f"{rng.choice(words)} {rng.choice(words)}"
        city = f"\"{rng.choice(cities)}, {rng.choice(['CH', 'BR', 'PL', 'JP'])}\""
        amount = f"{rng.randint(0, 99999)}.{rng.randint(0, 99):02d}"
        score = f"{rng.randint(1, 9)}.{rng.randint(0, 999)}e{rng.randint(-5, 5)}"
        active = "true" if rng.random() < 0.5 else "false"
        zip_code = f"{rng.randint(0, 99999):05d}"
        r = rng.random()
        if r < 0.1:
            note = ""
        elif r < 0.2:
            note = f"\"line one\nline two {i}\""
        elif r < 0.3:
            note = f"\"she said \"\"hi\"\", then left\""
        else:
            note = f"{rng.choice(words)} {rng.choice(words)} {rng.choice(words)}"
        f.write(f"{i},{name},{city},{amount},{score},{active},{zip_code},{note}\n")
