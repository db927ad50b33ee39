#!/usr/bin/env python3
"""Writes the generated part of Ironward's benign corpus.

    python3 scripts/gen_benign_corpus.py            # writes crates/ironward-core/tests/corpus/benign/
    python3 scripts/gen_benign_corpus.py --check    # exits 1 if the committed files differ

Realistic web parameter values (search phrases, reviews, ids, URLs, paths, non-English text…)
built from hand-written templates and word lists of this script, combined with a seeded
`random.Random`, so that every run writes exactly the same files. Nothing here is copied from
the shared datasets. `benign/tricky.txt` is hand-written and is NOT written by this script (its
values are only excluded from the generated files so that no value appears twice).

One value per line, UTF-8, no value holds a newline. The output is committed; CI does not run
this script.

Generated values deliberately avoid genuinely ambiguous shapes: a shell separator (`;`, `|`,
`&`, backquote, `$(`) directly followed by a command name, `..` path segments, system paths
(`/etc/`, `/proc/`, `C:\\Windows`), private, loopback or link-local addresses and `localhost`,
and template/expression syntax (`${`, `{{`, `#{`, `<%`). Whatever is flagged in these files is
a false positive.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import ipaddress
import json
import random
import re
import sys
import uuid
from pathlib import Path

SEED = 20260118
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "ironward-core" / "tests" / "corpus" / "benign"

# --------------------------------------------------------------------------------------------
# Word lists (our own).
# --------------------------------------------------------------------------------------------

ADJ = """red blue green black white grey silver golden wooden leather wireless waterproof
organic vintage compact portable ergonomic lightweight heavy-duty stainless foldable smart
cordless rechargeable handmade eco-friendly premium budget mini large extra-large slim classic
modern rustic minimalist retro noise-cancelling non-stick ceramic bamboo cotton woolen linen
insulated adjustable magnetic heated cooling ultra-thin 4K HD quiet fast refurbished""".split()

NOUNS = """headphones|backpack|laptop stand|coffee grinder|desk lamp|running shoes|yoga mat|
water bottle|phone case|keyboard|mouse|monitor|office chair|tent|sleeping bag|rain jacket|
sunglasses|wallet|watch|blender|air fryer|kettle|toaster|vacuum cleaner|hair dryer|suitcase|
bike helmet|camera lens|tripod|charger|power bank|speaker|router|printer|notebook|fountain pen|
sofa|bookshelf|mattress|pillow|duvet cover|frying pan|knife set|cutting board|teapot|mug|
dog bed|cat tree|bird feeder|garden hose|lawn mower|drill|screwdriver set|toolbox|ladder|
jigsaw puzzle|board game|guitar|ukulele|digital piano|microphone|webcam|smartwatch|tablet|
e-reader|drone|scooter|skateboard|snowboard|ski goggles|swim cap|standing desk|air purifier|
espresso machine|rice cooker|baby stroller|car seat|winter coat|hiking boots|sneakers|jeans|
t-shirt|hoodie|scarf|gloves|beanie|dress|blazer|umbrella|alarm clock|wall clock|rug|curtains"""
NOUNS = [n.strip() for n in NOUNS.replace("\n", "").split("|") if n.strip()]

BRANDS = """Acme Northwind Contoso Fabrikam Lumina Orbital Kestrel Bramble Nimbus Solace Vertex
Halcyon Quill Tandem Juniper Cobalt Meridian Pinecrest Aurora Fjordline Tessellate Wren Zephyr
Granite&Co Otter Lark Mosaic Saffron Bluebird Ironbark""".split()

COLORS = "black white navy red olive sand charcoal teal burgundy mustard lilac cream".split()
SIZES = "XS S M L XL XXL 36 38 40 42 44 7 8 9 10 11 12 'One size'".split()
MATERIALS = "cotton wool linen leather suede nylon polyester bamboo oak walnut steel aluminium".split()
AUDIENCE = """kids men women teens beginners runners students gamers travellers dogs cats
seniors toddlers nurses chefs photographers""".split()
CITIES = """Paris Berlin Lisbon Madrid Rome Vienna Prague Warsaw Dublin Oslo Stockholm Helsinki
Toronto Montreal Chicago Boston Seattle Austin Denver Sydney Melbourne Auckland Tokyo Osaka Seoul
Singapore Mumbai Delhi Cairo Nairobi Lagos Johannesburg Lima Bogota Santiago Mexico City
São Paulo Buenos Aires Zürich Kraków Malmö Reykjavík""".split("\n")
CITIES = [c for line in CITIES for c in re.split(r"\s(?=[A-Z])", line.strip())]
CITIES = [c for c in CITIES if c]
FIRST = """Alice Bob Carol David Emma Frank Grace Henry Isla Jack Karen Liam Maya Noah Olivia
Pedro Quinn Rosa Sam Tara Umar Vera Will Xenia Yusuf Zoe Ana Ben Chloé Dmitri Eva Farid Greta
Hiro Ines José Kai Lena Marta Nils Omar Priya Raúl Siobhan Thabo Ursula Valentina Wei Yara""".split()
LAST = """Smith Jones Brown Garcia Müller Rossi Dubois Nowak Kowalski Silva Santos Tanaka Kim
Nguyen Patel Khan Haddad Cohen Larsen Novak Horvat Popescu Ivanova Okafor Mensah Reyes Costa
Moreau Fischer Schneider Becker Jensen Berg Andersson Murphy Walsh Kelly Byrne Ryan""".split()
VERBS = """fix clean replace install assemble return exchange charge pair reset update
repair paint wash fold store ship track cancel""".split()
TOPICS = """shipping|delivery|sizing|battery life|sound quality|build quality|customer service|
packaging|the instructions|the price|the warranty|the colour|the fit|comfort|setup|the app""".replace("\n", "").split("|")

# --------------------------------------------------------------------------------------------
# Safety filter: generated values must not be ambiguous (see the module docstring).
# --------------------------------------------------------------------------------------------

SHELL_WORDS = """cat ls id whoami uname ping curl wget nc ncat netcat bash sh zsh python perl
php ruby echo sleep rm chmod chown kill sudo su nslookup dig ifconfig ipconfig net powershell
cmd sort head tail find grep awk sed more less top date time env set export cp mv touch tee
which who w dir type whoami systeminfo timeout""".split()
AMBIGUOUS = [
    re.compile(r"[;|&`]\s*(?:" + "|".join(map(re.escape, SHELL_WORDS)) + r")\b", re.I),
    re.compile(r"\$\(|`|\$\{|\{\{|#\{|<%|%>"),
    re.compile(r"(?:^|[/\\])\.\.(?:[/\\]|$)"),
    re.compile(r"/etc/|/proc/|/var/|/usr/|/bin/|/dev/|c:\\windows|boot\.ini|win\.ini", re.I),
    re.compile(r"localhost|127\.0\.0\.1|169\.254|0\.0\.0\.0|\[::1?\]|metadata|\.internal\b", re.I),
    re.compile(r"\b(?:file|gopher|dict|ldap|jndi|php|data|expect|phar|zip)://", re.I),
    re.compile(r"\b(?:eval|exec|system|passthru|popen|shell_exec|Runtime|ProcessBuilder)\s*\(", re.I),
    re.compile(r"[\x00-\x08\x0b-\x1f\x7f]"),
]


def ambiguous(v: str) -> bool:
    return any(p.search(v) for p in AMBIGUOUS)


# --------------------------------------------------------------------------------------------
# Generators, one per file. Each returns an iterable of candidate strings.
# --------------------------------------------------------------------------------------------


def price(r: random.Random) -> str:
    n = r.choice([4.99, 9.99, 12.5, 19.99, 24.95, 49, 79.9, 99, 129.99, 249, 1299, 15, 30])
    return r.choice([f"${n}", f"€{n}", f"£{n}", f"{n} USD", f"{n} EUR", f"¥{int(n * 100):,}"])


def gen_search(r: random.Random):
    t = [
        lambda: f"{r.choice(ADJ)} {r.choice(NOUNS)}",
        lambda: f"{r.choice(NOUNS)} for {r.choice(AUDIENCE)}",
        lambda: f"best {r.choice(NOUNS)} {r.choice(range(2019, 2027))}",
        lambda: f"how to {r.choice(VERBS)} a {r.choice(NOUNS)}",
        lambda: f"{r.choice(NOUNS)} near me",
        lambda: f"{r.choice(BRANDS)} {r.choice(NOUNS)} {r.choice(SIZES)}",
        lambda: f"cheap {r.choice(NOUNS)} under {price(r)}",
        lambda: f"where can I buy a {r.choice(ADJ)} {r.choice(NOUNS)}?",
        lambda: f"is the {r.choice(BRANDS)} {r.choice(NOUNS)} worth it?",
        lambda: f"{r.choice(NOUNS)} vs {r.choice(NOUNS)}",
        lambda: f"{r.choice(NOUNS)} -{r.choice(ADJ)}",
        lambda: f"\"{r.choice(ADJ)} {r.choice(NOUNS)}\" {r.choice(COLORS)}",
        lambda: f"{r.choice(NOUNS)} in {r.choice(CITIES)}",
        lambda: f"{r.choice(COLORS)} {r.choice(NOUNS)} size {r.choice(SIZES)}",
        lambda: f"{r.choice(NOUNS)} + {r.choice(NOUNS)} bundle",
        lambda: f"{r.choice(NOUNS)} {r.choice(MATERIALS)} OR {r.choice(MATERIALS)}",
        lambda: f"select {r.choice(ADJ)} {r.choice(NOUNS)} from {r.choice(BRANDS)}",
        lambda: f"order by {r.choice(['price', 'date', 'rating', 'popularity', 'name'])}",
        lambda: f"flights {r.choice(CITIES)} to {r.choice(CITIES)}",
        lambda: f"hotels in {r.choice(CITIES)} with parking",
        lambda: f"weather {r.choice(CITIES)} tomorrow",
        lambda: f"{r.choice(FIRST)} {r.choice(LAST)}",
        lambda: f"{r.choice(LAST)}, {r.choice(FIRST)}",
        lambda: f"{r.choice(NOUNS)} & {r.choice(NOUNS)}",
    ]
    while True:
        yield r.choice(t)()


def gen_products(r: random.Random):
    t = [
        lambda: f"{r.choice(BRANDS)} {r.choice(ADJ).title()} {r.choice(NOUNS).title()} – {r.choice(COLORS)}, {r.choice(SIZES)}",
        lambda: f"{r.choice(BRANDS)} {r.choice(['Pro', 'Max', 'Air', 'Lite', 'Go', 'One', 'X'])} {r.randint(2, 20)} ({r.choice(COLORS)})",
        lambda: f"{r.choice(ADJ).title()} {r.choice(MATERIALS).title()} {r.choice(NOUNS).title()} / {r.randint(2, 6)}-pack",
        lambda: f"{r.choice(NOUNS).title()} 12\" x 18\" {r.choice(MATERIALS)}",
        lambda: f"{r.choice(BRANDS)} {r.choice(NOUNS)} #{r.randint(1, 999)} (Limited Edition)",
        lambda: f"{r.choice(NOUNS).title()}, {r.choice(COLORS)} & {r.choice(COLORS)}",
        lambda: f"{r.choice(BRANDS)}® {r.choice(NOUNS).title()}™ {r.randint(100, 999)}",
        lambda: f"{r.choice(NOUNS).title()} – {r.randint(10, 70)}% off",
        lambda: f"{r.choice(NOUNS).title()} (2nd gen) + free shipping",
        lambda: f"Set of {r.randint(2, 12)}: {r.choice(ADJ)} {r.choice(NOUNS)}s",
    ]
    while True:
        yield r.choice(t)()


REVIEW_SENTENCES = [
    "Great {n}, works as described!",
    "Arrived late -- but the {n} itself is solid.",
    "5/5 would buy again :)",
    "Not bad; the {part} broke after {k} weeks though.",
    "I'd give it {k} stars & recommend it to anyone who travels a lot.",
    "Honestly? Better than my old {n}.",
    "The {topic} was excellent, the {topic2} not so much.",
    "Bought it for my {rel} -- she loves it!!!",
    "Select the larger size from the drop-down menu, it runs small.",
    "Order by phone if the website is down, they're very helpful.",
    "Meh. It's OK for the price ({price}).",
    "Update: the seller replied within 24h and sent a replacement.",
    "Pros: light, cheap. Cons: flimsy {part}.",
    "Works with {brand} and {brand2} (tested both).",
    "Can't complain... well, maybe about the {topic}.",
    "Returned it. The {part} was cracked on arrival :(",
    "Perfect for {aud}! 10/10",
    "Color is more {color} than {color2} IMO.",
    "Does what it says on the tin.",
    "Fits true to size (I'm 5'9\" / 175 cm).",
    "Had to read the manual twice, but after that: smooth sailing.",
    "It's 50% cheaper than the {brand} one and just as good.",
    "Shipping to {city} took {k} days.",
    "My {rel} and I use it every day -- still going strong after {k} months.",
    "\"Best purchase this year\" - no exaggeration.",
    "Q: does it fit a 15\" laptop? A: yes, barely.",
    "Rock & roll! Loud and clear.",
    "Good value; bad packaging.",
    "R&D clearly paid off on this one.",
    "Where are you from? Shipping to {city} was free for me.",
    "I met the seller at Union Station to pick it up.",
    "The {part} is 3.5 mm, not 2.5 mm as listed.",
    "Tried {k} times to pair it -- works now, thanks support!",
    "Would be perfect with a longer cable (1.5 m is short).",
    "Lovely! ❤️",
    "Exactly what I needed for my home office.",
    "It's a bit loud at 100% speed, fine at 60%.",
    "Drop-down menu for colours is confusing, otherwise fine.",
    "Delete this review if it's not allowed, but: great {n}!",
    "Wife says it's the best {n} we've had.",
]
PARTS = "zipper|strap|hinge|lid|button|handle|cable|battery|screen|buckle|wheel|clip".split("|")
RELS = "mum|dad|sister|brother|daughter|son|wife|husband|partner|grandma|friend|boss".split("|")


def gen_reviews(r: random.Random):
    def sentence():
        return r.choice(REVIEW_SENTENCES).format(
            n=r.choice(NOUNS),
            part=r.choice(PARTS),
            k=r.randint(2, 9),
            topic=r.choice(TOPICS),
            topic2=r.choice(TOPICS),
            rel=r.choice(RELS),
            price=price(r),
            brand=r.choice(BRANDS),
            brand2=r.choice(BRANDS),
            aud=r.choice(AUDIENCE),
            color=r.choice(COLORS),
            color2=r.choice(COLORS),
            city=r.choice(CITIES),
        )

    while True:
        yield " ".join(sentence() for _ in range(r.randint(1, 3)))


def gen_markup(r: random.Random):
    w = lambda: r.choice(NOUNS)  # noqa: E731
    t = [
        lambda: f"<b>{w()}</b> is back in stock",
        lambda: f"**{w()}** is on sale",
        lambda: f"_{r.choice(ADJ)}_ and **{r.choice(ADJ)}**",
        lambda: f"- {w()}\\n- {w()}\\n- {w()}",
        lambda: f"1. {w()} 2. {w()} 3. {w()}",
        lambda: f"| {w()} | {price(r)} | {r.randint(1, 9)} |",
        lambda: f"| item | price |\\n|---|---|\\n| {w()} | {price(r)} |",
        lambda: f"# {r.choice(ADJ).title()} {w()} review",
        lambda: f"## Step {r.randint(1, 9)}: {r.choice(VERBS)} the {w()}",
        lambda: f"> {r.choice(REVIEW_SENTENCES).split('{')[0]}",
        lambda: f"[{w()}](https://{r.choice(DOMAINS)}/{slug(r)})",
        lambda: f"![{w()}](images/{r.randint(2019, 2025)}/{slug(r)}.jpg)",
        lambda: f"<i>{w()}</i> &amp; <i>{w()}</i>",
        lambda: f"<p>Thanks for your order, {r.choice(FIRST)}!</p>",
        lambda: f"<strong>{r.randint(10, 70)}% off</strong> all {w()}s",
        lambda: f"<ul><li>{w()}</li><li>{w()}</li></ul>",
        lambda: f"<em>{r.choice(ADJ)}</em> {w()}<br>{price(r)}",
        lambda: f"<a href=\"https://{r.choice(DOMAINS)}/{slug(r)}\">{w()}</a>",
        lambda: f"~~{price(r)}~~ {price(r)}",
        lambda: f"`{slug(r)}` is the product slug",
        lambda: f"<code>{slug(r)}</code>",
        lambda: f"<blockquote>{r.choice(ADJ)} {w()}</blockquote>",
        lambda: f"<table><tr><td>{w()}</td><td>{price(r)}</td></tr></table>",
        lambda: f"- [x] {r.choice(VERBS)} {w()}\\n- [ ] {r.choice(VERBS)} {w()}",
        lambda: f"<h2>{w().title()}</h2><p>{r.choice(ADJ)} and {r.choice(ADJ)}</p>",
        lambda: f"<span class=\"price\">{price(r)}</span>",
        lambda: f"<img src=\"images/{slug(r)}.png\" alt=\"{w()}\">",
        lambda: f"*{w()}* &mdash; {price(r)}",
    ]
    while True:
        yield r.choice(t)()


VARS = "count total items user_id price name index result values data row key".split()


def gen_code(r: random.Random):
    v = lambda: r.choice(VARS)  # noqa: E731
    n = lambda: r.randint(2, 100)  # noqa: E731
    t = [
        lambda: f"for i in range({n()}): print(i)",
        lambda: f"def add_{v()}(a, b): return a + b",
        lambda: f"{v()} = [x * {n()} for x in {v()} if x > 0]",
        lambda: f"const {v()} = arr.map(v => v * {n()});",
        lambda: f"let {v()}: Vec<i32> = (0..{n()}).collect();",
        lambda: f"List<String> {v()} = new ArrayList<>();",
        lambda: f"if ({v()} > {n()}) {{ return {v()}; }}",
        lambda: f"while {v()} < {n()}: {v()} += 1",
        lambda: f".btn-{slug(r)} {{ color: #{r.randrange(16**6):06x}; margin: {n()}px; }}",
        lambda: f"fmt.Println(\"{v()}:\", {v()})",
        lambda: f"printf(\"%d\\n\", {v()});",
        lambda: f"{v()}.sort(key=lambda x: x[{r.randint(0, 3)}])",
        lambda: f"console.log(`{v()}`.length)".replace("`", "'"),
        lambda: f"SELECT_{n()} = {n()}  # constant",
        lambda: f"x = {n()} % {n()}",
        lambda: f"int[] {v()} = new int[{n()}];",
        lambda: f"{v()} = dict(zip(keys, {v()}))",
        lambda: f"return {v()} ?? {n()};",
        lambda: f"assert len({v()}) == {n()}",
        lambda: f"^[a-z0-9_-]{{3,{n()}}}$",
        lambda: f"git commit -m \"fix {v()} typo\"".replace("git commit -m ", "commit message: "),
        lambda: f"std::vector<int> {v()}({n()}, 0);",
        lambda: f"fn {v()}(x: u32) -> u32 {{ x * {n()} }}",
        lambda: f"{v()}.filter(x => x.{v()} !== null)",
        lambda: f"@media (max-width: {n() * 10}px) {{ .nav {{ display: none; }} }}",
        lambda: f"{{\"{v()}\": {n()}, \"{v()}\": true}}",
        lambda: f"val {v()} = listOf({n()}, {n()}, {n()})",
        lambda: f"{v()} <- c({n()}, {n()}, {n()})",
    ]
    while True:
        yield r.choice(t)()


I18N = {
    "ru": ["Привет, как дела?", "купить {n} недорого", "Спасибо за быструю доставку!",
           "Отличный товар, рекомендую", "Где находится магазин?", "скидка {k}% на всё",
           "Иван Петров", "Мария Смирнова", "Москва, ул. Ленина, д. {k}", "доставка в {c}",
           "размер {k}, цвет чёрный", "Когда будет в наличии?", "Сергей Кузнецов", "Анна Попова",
           "Качество так себе, но за свои деньги нормально."],
    "uk": ["Добрий день!", "Дякую за замовлення", "Олександр Шевченко", "Олена Коваленко",
           "Київ, вул. Хрещатик, {k}", "знижка {k}% сьогодні", "Чи є доставка до {c}?",
           "Гарна якість, швидка доставка", "Юлія Ткаченко", "Ґанок і їжак"],
    "el": ["Καλημέρα!", "Ευχαριστώ πολύ", "Αθήνα, Ελλάδα", "Γιώργος Παπαδόπουλος",
           "Πολύ καλό προϊόν", "έκπτωση {k}%", "Πού είναι το κατάστημα;", "Μαρία Γεωργίου"],
    "ar": ["مرحبا بكم", "شكرا جزيلا", "أين المتجر؟", "محمد العلي", "خصم {k}٪ اليوم",
           "منتج رائع، أنصح به", "القاهرة، مصر", "فاطمة الزهراء", "التوصيل إلى {c}"],
    "he": ["שלום עולם", "תודה רבה", "איפה החנות?", "דוד כהן", "מוצר מצוין, ממליץ",
           "הנחה של {k}%", "תל אביב-יפו", "שרה לוי"],
    "zh": ["你好，世界", "谢谢你的帮助", "这个产品很好", "北京市朝阳区", "打折{k}%", "王小明",
           "请问什么时候发货？", "李华", "买一送一", "质量不错，物流很快"],
    "ja": ["こんにちは", "ありがとうございます", "東京都渋谷区", "商品はいつ届きますか？",
           "とても良い商品です", "{k}%オフ", "山田太郎", "佐藤花子", "カタカナとひらがな"],
    "hi": ["नमस्ते", "धन्यवाद", "यह उत्पाद बहुत अच्छा है", "नई दिल्ली", "राहुल शर्मा",
           "{k}% छूट", "डिलीवरी कब होगी?", "प्रिया पटेल"],
    "de": ["Größe {k}, schwarz", "Schöne Grüße aus München", "Straße {k}, {c}",
           "Jürgen Müller", "Übergrößen für Männer", "Lieferung in 2–3 Werktagen",
           "Sehr gutes Preis-Leistungs-Verhältnis!", "Fußball-Trikot", "Äpfel & Birnen",
           "Das Gerät ist leider defekt."],
    "fr": ["Crème brûlée", "Très bon produit, je recommande !", "Café au lait",
           "François Lefèvre", "Hélène Dubois", "Où est la gare ?", "Livraison à {c}",
           "À bientôt", "Ça marche très bien", "Garçon, l'addition s'il vous plaît",
           "Remise de {k} % aujourd'hui"],
    "es": ["¿Dónde está la tienda?", "¡Muchas gracias!", "José Martínez", "Año nuevo",
           "envío a {c}", "descuento del {k}%", "Peña Nieto"],
    "pl": ["Dzień dobry", "Łódź", "Zażółć gęślą jaźń", "Wojciech Wąsowski"],
    "tr": ["Teşekkürler", "İstanbul", "Çok güzel ürün", "Şükrü Öztürk"],
    "pt": ["Obrigado!", "São Paulo", "João Gonçalves", "Promoção de {k}%"],
    "vi": ["Xin chào", "Cảm ơn bạn", "Nguyễn Văn An", "Hà Nội"],
    "ko": ["안녕하세요", "감사합니다", "서울특별시", "김민수"],
    "th": ["สวัสดีครับ", "ขอบคุณ", "กรุงเทพมหานคร"],
}
EMOJI = ["👍", "❤️", "😂", "🎉", "🔥", "✅", "⭐", "🙏", "😍", "🚀", "👨‍👩‍👧‍👦", "👩🏽‍💻",
         "🏳️‍🌈", "🇩🇪", "🇫🇷", "🇯🇵", "👍🏾", "🧑‍🍳", "🤷‍♀️", "❤️‍🔥", "👁️‍🗨️", "🐈‍⬛", "😀"]


def gen_i18n(r: random.Random):
    langs = sorted(I18N)
    while True:
        lang = r.choice(langs)
        s = r.choice(I18N[lang]).format(k=r.randint(2, 90), c=r.choice(CITIES), n=r.choice(NOUNS))
        roll = r.random()
        if roll < 0.25:
            s = f"{s} {r.choice(EMOJI)}"
        elif roll < 0.35:
            s = f"{r.choice(EMOJI)}{r.choice(EMOJI)} {s}"
        elif roll < 0.5:
            s = f"{s} {r.randint(1, 999)}"
        elif roll < 0.6:
            s = f"{s} — {r.choice(I18N[lang])}".format(k=r.randint(2, 90), c=r.choice(CITIES), n="")
        elif roll < 0.7:
            s = f"{r.choice(FIRST)}: {s}"
        yield s


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def gen_ids(r: random.Random):
    def jwt():
        header = {"alg": r.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
        payload = {
            "sub": str(r.randint(1000, 99999999)),
            "name": f"{r.choice(FIRST)} {r.choice(LAST)}",
            "iat": r.randint(1_600_000_000, 1_800_000_000),
        }
        if r.random() < 0.5:
            payload["exp"] = payload["iat"] + 3600
        if r.random() < 0.4:
            payload["role"] = r.choice(["user", "editor", "viewer"])
        sig = bytes(r.getrandbits(8) for _ in range(32))
        return ".".join([b64url(json.dumps(header, separators=(",", ":")).encode()),
                         b64url(json.dumps(payload, separators=(",", ":")).encode()), b64url(sig)])

    rb = lambda n: bytes(r.getrandbits(8) for _ in range(n))  # noqa: E731
    t = [
        lambda: str(uuid.UUID(int=r.getrandbits(128), version=4)),
        lambda: str(uuid.UUID(int=r.getrandbits(128), version=4)).upper(),
        lambda: uuid.UUID(int=r.getrandbits(128), version=4).hex,
        lambda: f"{r.getrandbits(96):024x}",
        lambda: hashlib.sha1(rb(16)).hexdigest(),
        lambda: hashlib.sha256(rb(16)).hexdigest(),
        lambda: f"{r.getrandbits(64):x}",
        lambda: base64.b64encode(rb(r.choice([12, 16, 24, 32]))).decode(),
        lambda: b64url(rb(r.choice([16, 24, 32]))),
        jwt,
        lambda: "".join(r.choice(CROCKFORD) for _ in range(26)),
        lambda: f"ORD-{r.randint(2019, 2026)}-{r.randint(0, 999999):06d}",
        lambda: f"#{r.randint(100000, 9999999)}",
        lambda: f"SKU-{''.join(r.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(2))}{r.randint(10, 99)}-{r.choice(SIZES).strip(chr(39))}-{r.choice(['BLK', 'WHT', 'NVY', 'RED', 'GRN'])}",
        lambda: f"{r.choice(['INV', 'PO', 'RMA', 'TKT'])}{r.randint(10000, 999999)}",
        lambda: f"cus_{''.join(r.choice('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') for _ in range(14))}",
        lambda: str(r.randint(1, 10**12)),
        lambda: f"{r.randint(100, 999)}-{r.randint(1000000, 9999999)}-{r.randint(1000000, 9999999)}",
        lambda: f"B0{''.join(r.choice('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789') for _ in range(8))}",
        lambda: f"978-{r.randint(0, 1)}-{r.randint(100, 999)}-{r.randint(10000, 99999)}-{r.randint(0, 9)}",
        lambda: f"1Z{''.join(r.choice('0123456789ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(16))}",
        lambda: f"sess-{r.getrandbits(128):032x}",
        lambda: f"v1.{b64url(rb(18))}",
    ]
    while True:
        yield r.choice(t)()


DOMAINS = """example.com shop.example.com www.example.org github.com en.wikipedia.org
www.youtube.com docs.python.org stackoverflow.com news.ycombinator.com www.amazon.de
maps.google.com www.bbc.co.uk www.lemonde.fr www.spiegel.de blog.rust-lang.org
developer.mozilla.org www.reddit.com cdn.jsdelivr.net images.unsplash.com www.etsy.com
www.booking.com api.github.com www.nytimes.com medium.com www.imdb.com""".split()


def slug(r: random.Random) -> str:
    return "-".join(r.choice(NOUNS).replace(" ", "-") for _ in range(r.randint(1, 3)))


def gen_urls(r: random.Random):
    def q():
        pairs = [f"{k}={r.choice([str(r.randint(1, 500)), slug(r), r.choice(COLORS)])}"
                 for k in r.sample(["id", "page", "sort", "q", "ref", "utm_source", "lang", "size", "color", "v"], r.randint(1, 3))]
        return "&".join(pairs)

    t = [
        lambda: f"https://{r.choice(DOMAINS)}/{slug(r)}",
        lambda: f"https://{r.choice(DOMAINS)}/{slug(r)}?{q()}",
        lambda: f"https://{r.choice(DOMAINS)}/{slug(r)}/{r.randint(1, 9999)}#{r.choice(['reviews', 'top', 'section-2', 'comments', 'specs'])}",
        lambda: f"https://{r.choice(DOMAINS)}:{r.choice([8080, 8443, 3000, 443, 8000])}/{slug(r)}",
        lambda: f"http://{r.choice(DOMAINS)}/search?q={r.choice(NOUNS).replace(' ', '+')}",
        lambda: f"https://www.youtube.com/watch?v={b64url(bytes(r.getrandbits(8) for _ in range(8)))[:11]}&t={r.randint(1, 900)}s",
        lambda: f"https://en.wikipedia.org/wiki/{r.choice(CITIES).replace(' ', '_')}",
        lambda: f"https://github.com/{r.choice(FIRST).lower()}/{slug(r)}/issues/{r.randint(1, 5000)}",
        lambda: f"https://maps.google.com/?q={r.uniform(-60, 60):.4f},{r.uniform(-170, 170):.4f}",
        lambda: f"www.{r.choice(DOMAINS).split('.', 1)[-1]}/{slug(r)}",
        lambda: f"{r.choice(DOMAINS)}",
        lambda: f"https://{r.choice(DOMAINS)}/{r.choice(['en', 'de', 'fr', 'ja'])}/{slug(r)}.html?{q()}#{slug(r)}",
        lambda: f"mailto:{r.choice(FIRST).lower()}@example.com?subject=Order%20{r.randint(1000, 9999)}",
        lambda: f"https://{r.choice(DOMAINS)}/redirect?url=https%3A%2F%2F{r.choice(DOMAINS)}%2F{slug(r)}",
        lambda: f"https://{r.choice(DOMAINS)}/api/v{r.randint(1, 3)}/items/{r.randint(1, 99999)}",
        lambda: f"https://{r.choice(DOMAINS)}/{slug(r)}?next=/{slug(r)}",
    ]
    while True:
        yield r.choice(t)()


def public_ipv4(r: random.Random) -> str:
    while True:
        a = ipaddress.IPv4Address(r.getrandbits(32))
        if a.is_global and not a.is_multicast:
            return str(a)


def gen_net(r: random.Random):
    def ua():
        return r.choice([
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{r.randint(100, 130)}.0.{r.randint(1000, 6999)}.{r.randint(10, 200)} Safari/537.36",
            f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_{r.randint(1, 7)}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{r.randint(14, 18)}.{r.randint(0, 6)} Safari/605.1.15",
            f"Mozilla/5.0 (X11; Linux x86_64; rv:{r.randint(100, 130)}.0) Gecko/20100101 Firefox/{r.randint(100, 130)}.0",
            f"Mozilla/5.0 (iPhone; CPU iPhone OS {r.randint(14, 18)}_{r.randint(0, 6)} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
            f"Mozilla/5.0 (Linux; Android {r.randint(10, 15)}; Pixel {r.randint(4, 9)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{r.randint(100, 130)}.0.0.0 Mobile Safari/537.36",
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{r.randint(100, 130)}.0.0.0 Safari/537.36 Edg/{r.randint(100, 130)}.0.0.0",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            f"okhttp/{r.randint(3, 4)}.{r.randint(0, 12)}.{r.randint(0, 9)}",
        ])

    t = [
        lambda: public_ipv4(r),
        lambda: f"{public_ipv4(r)}:{r.choice([80, 443, 8080, 8443])}",
        lambda: f"{public_ipv4(r)}, {public_ipv4(r)}",
        lambda: f"{public_ipv4(r)}/{r.choice([24, 28, 32])}",
        ua,
        ua,
        lambda: f"{r.uniform(-90, 90):.5f},{r.uniform(-180, 180):.5f}",
        lambda: f"{r.uniform(0, 90):.4f}° N, {r.uniform(0, 180):.4f}° W",
        lambda: f"geo:{r.uniform(-90, 90):.4f},{r.uniform(-180, 180):.4f}",
        lambda: f"2001:db8:{r.getrandbits(16):x}::{r.getrandbits(16):x}".replace("2001:db8", "2a00:1450"),
    ]
    while True:
        yield r.choice(t)()


def gen_contact(r: random.Random):
    mail_domains = ["gmail.com", "outlook.com", "yahoo.co.uk", "example.com", "proton.me",
                    "gmx.de", "orange.fr", "web.de", "icloud.com", "company.co.jp"]
    t = [
        lambda: f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}@{r.choice(mail_domains)}",
        lambda: f"{r.choice(FIRST).lower()}+{r.choice(['shop', 'news', 'orders', 'work'])}@{r.choice(mail_domains)}",
        lambda: f"{r.choice(FIRST).lower()}{r.randint(1, 99)}@{r.choice(mail_domains)}",
        lambda: f"{r.choice(FIRST)} {r.choice(LAST)} <{r.choice(FIRST).lower()}@{r.choice(mail_domains)}>",
        lambda: f"+1 ({r.randint(201, 989)}) {r.randint(200, 999)}-{r.randint(0, 9999):04d}",
        lambda: f"+44 20 {r.randint(7000, 7999)} {r.randint(0, 9999):04d}",
        lambda: f"+33 {r.randint(1, 9)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}",
        lambda: f"0049 {r.randint(30, 89)} {r.randint(100000, 9999999)}",
        lambda: f"{r.randint(200, 999)}.{r.randint(200, 999)}.{r.randint(0, 9999):04d}",
        lambda: f"+81-{r.randint(3, 90)}-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}",
        lambda: f"({r.randint(10, 99)}) {r.randint(90000, 99999)}-{r.randint(1000, 9999)}",
        lambda: f"{r.randint(1, 999)} {r.choice(['Main St', 'High Street', 'Rue de la Paix', 'Hauptstraße', 'Elm Ave'])}, {r.choice(CITIES)}",
        lambda: f"{r.choice(FIRST)} {r.choice(LAST)}",
        lambda: f"{r.choice(FIRST)} {r.choice(['O', 'D'])}'{r.choice(['Brien', 'Connor', 'Neill', 'Angelo', 'Souza'])}",
    ]
    while True:
        yield r.choice(t)()


MONTHS = "January February March April May June July August September October November December".split()


def gen_numbers(r: random.Random):
    def d():
        return r.randint(2000, 2030), r.randint(1, 12), r.randint(1, 28)

    t = [
        lambda: "{:04d}-{:02d}-{:02d}".format(*d()),
        lambda: "{2:02d}/{1:02d}/{0:04d}".format(*d()),
        lambda: "{2:02d}.{1:02d}.{0:04d}".format(*d()),
        lambda: (lambda y, m, dd: f"{MONTHS[m - 1]} {dd}, {y}")(*d()),
        lambda: (lambda y, m, dd: f"{dd} {MONTHS[m - 1][:3]} {y}")(*d()),
        lambda: "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*d(), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)),
        lambda: "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}+02:00".format(*d(), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), r.randint(0, 999)),
        lambda: f"{r.choice(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])}, {r.randint(1, 28):02d} {r.choice(MONTHS)[:3]} {r.randint(2000, 2030)} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d} GMT",
        lambda: str(r.randint(1_500_000_000, 1_900_000_000)),
        lambda: str(r.randint(1_500_000_000_000, 1_900_000_000_000)),
        lambda: f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
        lambda: f"{r.randint(1, 12)}:{r.randint(0, 59):02d} {r.choice(['AM', 'PM', 'am', 'pm'])}",
        lambda: price(r),
        lambda: f"{r.randint(1, 9999)}.{r.randint(0, 99):02d}",
        lambda: f"€{r.randint(1, 9)}.{r.randint(100, 999)},{r.randint(0, 99):02d}",
        lambda: f"{r.randint(1, 99)}%",
        lambda: f"-{r.randint(5, 70)}%",
        lambda: f"{r.randint(1, 99)}.{r.randint(0, 9)} %",
        lambda: f"{r.randint(10, 70)}% off -- {r.choice(['today', 'this weekend', 'until Friday', 'members only'])}",
        lambda: f"{r.randint(2, 5)} for {price(r)}",
        lambda: f"{r.randint(0, 20)}.{r.randint(0, 20)}.{r.randint(0, 50)}",
        lambda: f"v{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)}-{r.choice(['alpha', 'beta', 'rc'])}.{r.randint(1, 9)}",
        lambda: f"{r.randint(1, 5)}.{r.randint(0, 20)}.{r.randint(0, 9)}+build.{r.randint(1, 999)}",
        lambda: f"Python {r.randint(3, 3)}.{r.randint(8, 13)}.{r.randint(0, 9)}",
        lambda: f"{r.randint(1, 100)} {r.choice(['kg', 'g', 'lb', 'cm', 'mm', 'in', 'ml', 'L', 'km', 'mi'])}",
        lambda: f"{r.randint(1, 30)}x{r.randint(1, 30)}x{r.randint(1, 30)} cm",
        lambda: f"{r.randint(-30, 45)}°C",
        lambda: f"{r.randint(1, 5)}/5",
        lambda: f"{r.randint(1, 1000):,}",
        lambda: f"{r.randint(1, 10)}e{r.randint(-9, 9)}",
        lambda: f"{r.randint(1, 365)} days",
        lambda: f"Q{r.randint(1, 4)} {r.randint(2015, 2026)}",
        lambda: f"{r.randint(2015, 2026)}-W{r.randint(1, 52):02d}",
        lambda: f"{r.randint(1, 12):02d}/{r.randint(25, 35)}",
        lambda: f"PT{r.randint(1, 12)}H{r.randint(0, 59)}M",
    ]
    while True:
        yield r.choice(t)()


EXT = "md txt pdf docx xlsx pptx csv jpg jpeg png gif webp svg mp4 mp3 zip json html css js".split()
DIRS = "docs images uploads assets media static files downloads blog posts reports invoices photos".split()


def gen_files(r: random.Random):
    name = lambda: slug(r)  # noqa: E731
    t = [
        lambda: f"{name()}.{r.choice(EXT)}",
        lambda: f"{r.choice(DIRS)}/{name()}.{r.choice(EXT)}",
        lambda: f"{r.choice(DIRS)}/{r.randint(2015, 2026)}/{r.randint(1, 12):02d}/{name()}.{r.choice(EXT)}",
        lambda: f"docs/{r.choice(['guide', 'api', 'tutorial', 'faq'])}/{name()}.md",
        lambda: f"images/{r.randint(2015, 2026)}/photo-{r.randint(1, 9999)}.jpg",
        lambda: f"IMG_{r.randint(1000, 9999)}.{r.choice(['JPG', 'HEIC', 'PNG', 'MOV'])}",
        lambda: f"{r.choice(['Quarterly Report', 'Invoice', 'CV', 'Meeting notes', 'Budget'])} ({r.choice(['final', 'draft', 'v2', 'copy'])}).{r.choice(['docx', 'xlsx', 'pdf'])}",
        lambda: f"C:\\Users\\{r.choice(FIRST).lower()}\\Documents\\{name()}.{r.choice(['docx', 'xlsx', 'pdf'])}",
        lambda: f"D:\\Projects\\{name()}\\{r.choice(['index.html', 'README.md', 'notes.txt'])}",
        lambda: f"/blog/{r.randint(2015, 2026)}/{r.randint(1, 12):02d}/{name()}",
        lambda: f"/products/{name()}/{r.randint(1, 9999)}",
        lambda: f"/{r.choice(['en', 'de', 'fr'])}/{r.choice(['shop', 'help', 'about'])}/{name()}",
        lambda: f"~/Downloads/{name()}.{r.choice(EXT)}",
        lambda: f"{r.choice(DIRS)}/{name()}_{r.randint(1, 99)}@2x.png",
        lambda: f"{name()} {r.randint(1, 9)}.{r.choice(EXT)}",
        lambda: f"src/{r.choice(['components', 'utils', 'pages'])}/{name().replace('-', '_')}.{r.choice(['ts', 'tsx', 'py', 'rs', 'go'])}",
        lambda: f"{r.choice(FIRST)}'s {r.choice(['photos', 'notes', 'slides'])}.{r.choice(['zip', 'pdf', 'key'])}",
        lambda: f"backup-{r.randint(2015, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}.tar.gz",
        lambda: f"wp-content/uploads/{r.randint(2015, 2026)}/{r.randint(1, 12):02d}/{name()}-{r.randint(300, 1200)}x{r.randint(200, 900)}.jpg",
        lambda: f"Screenshot {r.randint(2019, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} at {r.randint(1, 12)}.{r.randint(0, 59):02d}.{r.randint(0, 59):02d}.png",
    ]
    while True:
        yield r.choice(t)()


def gen_structured(r: random.Random):
    def obj():
        d = {}
        for k in r.sample(["id", "name", "qty", "price", "tags", "active", "color", "note", "sku", "created"], r.randint(1, 5)):
            d[k] = {
                "id": r.randint(1, 99999),
                "name": f"{r.choice(FIRST)} {r.choice(LAST)}",
                "qty": r.randint(1, 20),
                "price": round(r.uniform(1, 500), 2),
                "tags": r.sample(ADJ, 2),
                "active": r.random() < 0.5,
                "color": r.choice(COLORS),
                "note": r.choice(REVIEW_SENTENCES).split("{")[0].strip() or "n/a",
                "sku": f"SKU-{r.randint(1000, 9999)}",
                "created": f"{r.randint(2015, 2026)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
            }[k]
        return d

    t = [
        lambda: json.dumps(obj(), ensure_ascii=False),
        lambda: json.dumps(obj(), separators=(",", ":"), ensure_ascii=False),
        lambda: json.dumps([obj() for _ in range(r.randint(1, 3))], ensure_ascii=False),
        lambda: json.dumps({"filter": {"price": {"min": r.randint(0, 50), "max": r.randint(51, 500)}}, "sort": r.choice(["price_asc", "date_desc", "rating"])}),
        lambda: json.dumps([r.randint(0, 99) for _ in range(r.randint(1, 8))]),
        lambda: json.dumps({"cart": [{"sku": f"SKU-{r.randint(1000, 9999)}", "qty": r.randint(1, 5)} for _ in range(r.randint(1, 3))]}),
        lambda: f"{r.randint(1, 999)},{r.choice(NOUNS)},{r.uniform(1, 99):.2f}",
        lambda: f"\"{r.choice(LAST)}, {r.choice(FIRST)}\",{r.randint(18, 90)},{r.choice(CITIES)}",
        lambda: "id,name,price",
        lambda: f"{r.choice(NOUNS)};{r.randint(1, 9)};{r.uniform(1, 99):.2f}".replace(";", "\t"),
        lambda: f"{r.randint(1, 99)}|{r.choice(NOUNS)}|{r.choice(COLORS)}",
        lambda: f"key={r.choice(COLORS)}, value={r.randint(1, 99)}",
        lambda: f"{r.choice(['color', 'size', 'sort'])}:{r.choice(COLORS)}",
        lambda: f"a={r.randint(1, 9)} b={r.randint(1, 9)} c={r.randint(1, 9)}",
        lambda: f"<item id=\"{r.randint(1, 999)}\">{r.choice(NOUNS)}</item>",
        lambda: f"name: {r.choice(FIRST)}\\nage: {r.randint(18, 90)}",
    ]
    while True:
        yield r.choice(t)()


# File name -> (generator, how many distinct values).
PLAN = [
    ("search.txt", gen_search, 900),
    ("products.txt", gen_products, 500),
    ("reviews.txt", gen_reviews, 700),
    ("markup.txt", gen_markup, 400),
    ("code.txt", gen_code, 400),
    ("i18n.txt", gen_i18n, 500),
    ("ids.txt", gen_ids, 800),
    ("urls.txt", gen_urls, 600),
    ("net.txt", gen_net, 400),
    ("contact.txt", gen_contact, 500),
    ("numbers.txt", gen_numbers, 700),
    ("files.txt", gen_files, 500),
    ("structured.txt", gen_structured, 400),
]


def build() -> dict[str, str]:
    seen: set[str] = set()
    tricky = OUT / "tricky.txt"
    if tricky.exists():
        seen.update(l for l in tricky.read_text(encoding="utf-8").splitlines() if l)
    files = {}
    for i, (name, gen, count) in enumerate(PLAN):
        r = random.Random(f"{SEED}:{name}")
        out: list[str] = []
        attempts = 0
        for v in gen(r):
            attempts += 1
            if attempts > count * 200:
                raise SystemExit(f"{name}: only {len(out)} distinct values after {attempts} tries")
            v = v.strip()
            if not v or "\n" in v or "\r" in v or v in seen or ambiguous(v):
                continue
            seen.add(v)
            out.append(v)
            if len(out) == count:
                break
        files[name] = "\n".join(out) + "\n"
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files")
    args = ap.parse_args()
    files = build()
    stale = []
    for name, text in files.items():
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("stale:", ", ".join(stale), file=sys.stderr)
        return 1
    for name, text in files.items():
        print(f"{name}: {text.count(chr(10))} values")
    return 0


if __name__ == "__main__":
    sys.exit(main())
