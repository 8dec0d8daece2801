#!/usr/bin/env python3
"""Fill the information base of an SQLite database made by `aftersales migrate` with N
published public articles (bench/kb.sh), and write the benchmark's query list.
The text uses simplified characters and ASCII words only, so the tokens written here are
exactly what src/rules/kbtext.c makes of it (u + hex per character, words lower-cased,
inner hyphens dropped, and the bigram stream of kbtext_bigrams); the FTS5 triggers index them as the server would."""
import random, sqlite3, sys, time

db, n, queries_out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(14)
CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
         "十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质七龙机")
CHARS = ''.join(dict.fromkeys(c for c in CHARS))
WORDS = ["电视", "遥控器", "声音", "屏幕", "闪烁", "保修", "电池", "耳机", "蓝牙", "配对", "固件", "升级",
         "网络", "连接", "投影", "音响", "相机", "镜头", "充电", "开机", "黑屏", "售后", "维修", "网点"]
MODELS = sorted({f"{p}-{s}{l}{m}{t}" for p, s, l, m, t in
                 ((rnd.choice(["KD", "XR", "TH", "VPL", "CFI", "WH", "SRS", "HT"]), rnd.choice([43, 50, 55, 65, 75, 85]),
                   rnd.choice("XAZ"), rnd.randint(70, 99), rnd.choice("KLJM")) for _ in range(3000))})

def tok(text):
    out, word = [], ""
    for i, ch in enumerate(text):
        if ch.isascii() and ch.isalnum():
            word += ch.lower()
            continue
        if ch == "-" and word and i + 1 < len(text) and text[i + 1].isascii() and text[i + 1].isalnum():
            continue
        if word:
            out.append(word[:64]); word = ""
        if "\u4e00" <= ch <= "\u9fff":
            out.append("u%x" % ord(ch))
    if word:
        out.append(word[:64])
    return " ".join(out)

def bigrams(tokens):
    t = tokens.split()
    cjk = [x.startswith("u") and len(x) == 5 and all(c in "0123456789abcdef" for c in x[1:]) for x in t]
    out = []
    for i, x in enumerate(t):
        if cjk[i] and i and cjk[i - 1]:
            out.append(t[i - 1] + "x" + x[1:])
        elif not (cjk[i] and i + 1 < len(t) and cjk[i + 1]):
            out.append(x)
    return " ".join(out)

def sentence(k):
    return "".join(rnd.choice(CHARS) for _ in range(k))

con = sqlite3.connect(db)
con.execute("PRAGMA synchronous=OFF")
now = int(time.time())
rows, bodies = [], []
for i in range(1, n + 1):
    model = rnd.choice(MODELS)
    title = f"{rnd.choice(WORDS)}{sentence(4)} {model}"
    body = f"{sentence(12)}{rnd.choice(WORDS)}{sentence(12)}，{sentence(10)} {model}。"
    kind = rnd.choice(["faq", "faq", "tech_qa", "product_info", "news", "promotion"])
    rows.append((f"B{i:07d}", "zh-CN", kind, "public", "published", title, f"<p>{body}</p>", body,
                 tok(title), tok(title + " " + body), bigrams(tok(title)), bigrams(tok(title + " " + body)), now - 86400, None, "bench", "bench", "bench",
                 now - n + i, now, now))
    if i % 50 == 0:
        bodies.append(body)
con.executemany("INSERT INTO kb_articles (code, lang, kind, audience, status, title, body, body_text,"
                " tokens_title, tokens_all, bi_title, bi_all, valid_from, valid_to, created_by, updated_by,"
                " published_by, published_at, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
con.commit()
qs = []
for b in bodies[:300]:                      # two characters from a body
    j = rnd.randrange(0, 10); qs.append(b[j:j + 2])
for m in rnd.sample(MODELS, 200):           # a model code, in any case
    qs.append(rnd.choice([m, m.lower(), m.title()]))
for _ in range(100):                        # a word and a model
    qs.append(f"{rnd.choice(WORDS)} {rnd.choice(MODELS)}")
rnd.shuffle(qs)
with open(queries_out, "w") as f:
    f.write("\n".join(qs) + "\n")
