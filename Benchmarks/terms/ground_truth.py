"""Precision@10 of `interests terms` against Corpora ground truth. usage: terms_gt.py GROUND_TRUTH TERMS.jsonl"""
import json, sys, collections
gt = {json.loads(l)['user']: json.loads(l) for l in open(sys.argv[1])}
got = {}
for l in open(sys.argv[2]):
    d = json.loads(l); got[d['user']] = d
def words(t): return t.split() if ' ' in t or t.isascii() else None
def match(term, planted):
    if term in planted: return 'exact'
    for p in planted:
        if term.isascii():
            tw, pw = term.split(), p.split()
            n, m = len(tw), len(pw)
            if any(pw[i:i+n] == tw for i in range(m - n + 1)) or any(tw[i:i+m] == pw for i in range(n - m + 1)): return 'part'
        else:
            if len(term) >= 2 and (term in p or p in term): return 'part'
    return None
stats = collections.defaultdict(lambda: [0, 0, 0, 0])  # strict hits, lenient hits, slots, users
sep = [0, 0]
for u, g in gt.items():
    d = got.get(u)
    if not d: continue
    terms = [t['term'] for t in d['terms']][:10]
    planted = set(g['planted_terms'])
    s = stats[g['language']]
    s[0] += sum(1 for t in terms if match(t, planted) == 'exact')
    s[1] += sum(1 for t in terms if match(t, planted))
    s[2] += 10; s[3] += 1
    if len(g['interests']) >= 2:
        clusters = []
        for it in g['interests']:
            p = set(it['terms'] + [it['brand'].lower(), it['colour'], it['material']])
            c = collections.Counter(t['cluster'] for t in d['terms'] if match(t['term'], p))
            clusters.append(c.most_common(1)[0][0] if c else None)
        sep[1] += 1
        if None not in clusters and len(set(clusters)) == len(clusters): sep[0] += 1
for lang, (a, b, n, users) in sorted(stats.items()):
    print(f"{lang}: users {users}  precision@10 exact {a/n:.3f}  lenient {b/n:.3f}")
print(f"multi-interest users with each interest in its own cluster: {sep[0]}/{sep[1]} = {sep[0]/max(1,sep[1]):.3f}")
