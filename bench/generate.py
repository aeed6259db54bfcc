"""Write the benchmark corpus: synthetic health-marketing pages in Markdown and HTML.

Every sentence comes from the templates and word lists below (never from real pages), filled by a
seeded `random.Random`, so the same seed always gives the same bytes. The mix is what healthlint
meets in practice: mostly plain copy, some careful and cited wording, some risky claims, and the
page furniture (front matter, code, tables, links, images) that readers must mask correctly.

    python bench/generate.py                      # ~20 MB in ~4,000 files, big.md, long-line.txt
    python bench/generate.py --mb 2 --files 400   # quick
"""

from __future__ import annotations

import argparse
import html
import random
import re
import shutil
import time
from pathlib import Path

WORDS = {
    "treatment": ["ketamine infusions", "ketamine-assisted therapy", "esketamine nasal spray", "TMS",
                  "our infusion program", "at-home ketamine lozenges", "IV therapy", "KAP",
                  "neurofeedback", "the NAD+ drip", "CBD gummies", "our integration program"],
    "condition": ["treatment-resistant depression", "depression", "anxiety", "PTSD", "chronic pain",
                  "OCD", "postpartum depression", "migraines", "bipolar depression", "burnout",
                  "fibromyalgia", "insomnia", "grief", "social anxiety"],
    "clinic": ["Harborview Wellness", "Cedar & Pine Clinic", "Northstar Infusions", "Bright Path Health",
               "Clearwater Mind Center", "Summit Ketamine Care", "Riverstone Psychiatry", "Lumen Clinic"],
    "city": ["Portland", "Austin", "Denver", "Tampa", "Boise", "Raleigh", "Santa Fe", "Madison", "Tucson",
             "Montréal", "San José"],
    "name": ["Dana", "Marcus", "Priya", "Tom", "Elena", "Jordan", "Aisha", "Kenji", "Rosa", "Liam",
             "Zoë", "Mateo", "Hannah", "Chloé"],
    "doctor": ["Dr. Anna Reyes", "Dr. Samuel Okafor", "Dr. Lisa Monroe", "Dr. Victor Hale", "Dr. Mei Tanaka",
               "Dr. René Dubois"],
    "author": ["Smith", "Zarate", "Murrough", "Berman", "Nguyen", "Phillips", "Kryst", "Daly", "Wilkinson",
               "McIntyre", "Popova", "Singh"],
    "journal": ["JAMA Psychiatry", "Am J Psychiatry", "Lancet Psychiatry", "Biol Psychiatry",
                "J Clin Psychiatry", "Mol Psychiatry", "NEJM"],
    "feeling": ["lighter", "calmer", "rested", "hopeful again", "clear-headed", "less on edge", "steadier"],
    "opener": ["At our clinic", "On your first day", "During each visit", "In most cases", "Between sessions",
               "Before you arrive", "If anything changes", "Once a month"],
    "who": ["our nurses", "the care team", "your clinician", "a licensed therapist", "the front desk",
            "our medical director", "a pharmacist"],
    "action": ["review", "check", "talk through", "explain", "update", "write down", "go over"],
    "thing": ["your medication list", "your blood pressure", "the consent form", "your goals for treatment",
              "what to expect afterwards", "your questions", "the next appointment", "your insurance options",
              "your sleep and appetite", "the safety plan"],
    "effect": ["nausea", "dizziness", "a brief rise in blood pressure", "dissociation", "headache",
               "drowsiness", "blurred vision"],
    "time": ["within hours", "within a day", "after the second session", "over several weeks",
             "after a full course", "within a week", "by the sixth infusion"],
    "hype": ["miracle", "revolutionary", "breakthrough", "game-changing", "life-changing", "groundbreaking"],
    "hedge": ["may ease", "can help reduce", "may lessen", "might improve", "can relieve"],
    "verb": ["offers", "provides", "specializes in", "is proud to offer", "now offers"],
    "step": ["a medical intake", "a review of your history", "a blood pressure check", "a safety plan",
             "a call with our nurse", "a consent conversation", "an integration session"],
    "topic": ["What to expect", "How it works", "Is it right for you?", "Safety first", "Costs and insurance",
              "The research", "Patient stories", "Getting started", "Frequently asked questions",
              "After your session", "Who we are"],
}
NUMBERS = {
    "pct": lambda r: f"{r.randint(5, 95)}%",
    "pct2": lambda r: f"{r.randint(10, 45)} to {r.randint(50, 85)} percent",
    "year": lambda r: str(r.randint(1998, 2024)),
    "n": lambda r: str(r.randint(12, 900)),
    "k": lambda r: str(r.randint(2, 9)),
    "doi": lambda r: f"10.{r.randint(1000, 9999)}/{r.choice('abcdjp')}{r.randint(100, 99999)}",
    "price": lambda r: f"${r.randint(3, 9)}{r.choice('05')}0",
    "mg": lambda r: f"{r.choice(['0.5', '0.75', '1.0'])} mg/kg",
}

# Sentence templates by family; the numbers in MIX say how often each family is drawn.
SENTENCES = {
    "plain": [
        "{opener}, {who} will {action} {thing} with you.",
        "{opener}, {who} may {action} {thing} again.",
        "Ask {who} to {action} {thing} if anything is unclear.",
        "{who} can {action} {thing} by phone or in person.",
        "{clinic} {verb} {treatment} for adults in {city}.",
        "Your first visit starts with {step}, and then {step}.",
        "Sessions last about forty minutes, and a nurse stays with you the whole time.",
        "Many people ask how {treatment} compares with talk therapy for {condition}.",
        "We accept most major credit cards; a session costs {price} before any insurance reimbursement.",
        "Parking is free, and the waiting room has a quiet corner with tea.",
        "Bring a friend or family member who can drive you home afterwards.",
        "Our team includes nurses, a psychiatrist and two licensed therapists.",
        "Plan to rest for the remainder of the day after a session.",
        "You can reach our front desk Monday to Friday, 8 a.m. to 6 p.m.",
        "Each plan is built around your goals, your history and your schedule.",
        "The typical starting dose is {mg}, adjusted to how you respond.",
        "We coordinate with your existing psychiatrist or therapist whenever you ask us to.",
        "Wear comfortable clothes; the chairs recline and blankets are provided.",
        "Before booking, read our page on {topic_lower}.",
        "Integration sessions help you make sense of what came up during treatment.",
        "We send a short questionnaire before each visit so we can track how you are doing.",
        "The clinic opened in {year} and moved to its current building on Elm Street last spring.",
    ],
    "careful": [
        "{treatment} {hedge} symptoms of {condition} for some people, though not for everyone.",
        "Ketamine is not a cure for {condition}, and results differ from person to person.",
        "No treatment works for everyone, and {treatment} is no exception.",
        "Common side effects include {effect} and {effect}; most pass within an hour or two.",
        "Talk with your doctor about whether {treatment} is appropriate for you.",
        "Some patients feel {feeling} {time}; others notice little change.",
        "The evidence for {condition} is still limited, and larger trials are under way.",
        "Researchers are still searching for a cure for {condition}.",
        "It isn't magic, and it does not replace ongoing care.",
        "Is ketamine addictive? In supervised settings the risk is low, but misuse is possible.",
        "We will tell you plainly if we think {treatment} is unlikely to help you.",
    ],
    "cited": [
        "In a randomized trial of {n} adults, about {pct} responded {time} ({author} et al., {year}).",
        "Roughly {pct} of people with depression do not respond to two antidepressants ({author} et al., {year}).",
        "A {year} meta-analysis in {journal} reported response rates of {pct2} (doi:{doi}).",
        "Response rates near {pct} were reported at 24 hours ([{author} et al., {year}](https://doi.org/{doi})).",
        "According to the National Institute of Mental Health, {condition} affects about {pct} of adults a year.",
        "Studies show a rapid effect after one infusion ({author} et al., {year}).",
        "A {year} trial by {author} and colleagues found improvement {time} in {pct} of participants.",
    ],
    "risky": [
        "{treatment} cures {condition} in as little as {k} sessions.",
        "Discover the {hype} of {treatment} at {clinic}.",
        "This {hype} treatment is changing everything we know about {condition}.",
        "Studies show that {treatment} works for {condition} when nothing else has.",
        "Research shows that {pct} of our patients are symptom-free after {k} visits.",
        "Our protocol works for everyone, with no side effects.",
        "{treatment} is completely safe and non-addictive.",
        "Guaranteed results, or your next session is on us.",
        "Experts agree that {treatment} is the future of {condition} care.",
        "Finally, permanent relief from {condition}.",
        "Our method eliminates {condition} for good.",
        "{treatment} saves lives, and we see it every week.",
        "Seven in ten of our patients feel better {time}.",
        "About {pct} of people with {condition} never find relief with pills alone.",
        "Psychiatrist-approved and {pct} effective: that is the {clinic} promise.",
        "See our before and after photos from real patients.",
    ],
    "suicide": [
        "{condition} carries an increased risk of suicide, which is why we screen every patient.",
        "By last winter {name} had thoughts of suicide most days, and nothing seemed to help.",
        "Her brother committed suicide when she was nineteen.",
        "If you are having thoughts of suicide, call or text 988 to reach the 988 Suicide & Crisis Lifeline.",
        "In a crisis, call or text 988 any time, or go to the nearest emergency room.",
    ],
    "disclaimer": [
        "This article is for general information only and is not medical advice.",
        "Talk to your doctor before starting or stopping any treatment.",
        "Nothing on this site is a substitute for professional medical advice, diagnosis or treatment.",
    ],
}
MIX = {"plain": 62, "careful": 10, "cited": 10, "risky": 14, "suicide": 2, "disclaimer": 2}
QUOTES = [
    "After my {ordinal} infusion, I felt {feeling} for the first time in years.",
    "I was skeptical, but the staff at {clinic} treated me like a person, not a chart.",
    "{treatment} changed my life. I wish I had found {clinic} sooner.",
    "It was not instant, and it was not easy, but I feel {feeling} now.",
    "The nurses explained every step, which made the first session much less scary.",
    "I got my first session free for this review, and honestly I feel {feeling}.",
]
# Code is masked by the readers: claim words inside it must never be reported.
CODE = [
    ("yaml", "# miracle cure, no side effects: a config sample, not prose\ntreatment: ketamine\nsessions: 6"),
    ("js", "if (cured) { showBanner('guaranteed results'); }"),
    ("", "PHQ-9 before: 22\nPHQ-9 after: 9"),
    ("python", "claims = ['studies show', 'no side effects']  # phrases to review"),
]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth"]
SLOT = re.compile(r"\{(\w+)\}")
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
TEXT_FAMILIES = list(MIX)
TEXT_WEIGHTS = list(MIX.values())


def fill(template: str, r: random.Random) -> str:
    """Replace each {slot} with a random word or number of that kind."""
    def pick(m: re.Match) -> str:
        slot = m[1]
        if slot in NUMBERS:
            return NUMBERS[slot](r)
        if slot == "ordinal":
            return r.choice(ORDINALS)
        if slot == "topic_lower":
            return r.choice(WORDS["topic"]).lower().rstrip("?")
        return r.choice(WORDS[slot])
    text = SLOT.sub(pick, template)
    return text[0].upper() + text[1:]


def sentence(r: random.Random) -> str:
    family = r.choices(TEXT_FAMILIES, TEXT_WEIGHTS)[0]
    text = fill(r.choice(SENTENCES[family]), r)
    if r.random() < 0.03:  # curly quotes and a non-breaking space, as pasted from a word processor
        text = text.replace("'", "\u2019").replace(" a ", " a\u00a0", 1)
    return text


def paragraph(r: random.Random) -> str:
    return " ".join(sentence(r) for _ in range(r.randint(2, 7)))


def wrap(text: str, width: int = 80) -> str:
    """Hard-wrap at 80 columns so that phrases straddle line breaks, as in hand-edited Markdown."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def markdown_block(r: random.Random) -> str:
    kind = r.choices(["para", "list", "quote", "table", "code", "image", "heading"], [50, 12, 8, 4, 3, 4, 10])[0]
    if kind == "para":
        text = paragraph(r)
        if r.random() < 0.3:
            text += f" See [{r.choice(WORDS['topic']).lower()}](/{r.choice(['faq', 'pricing', 'research'])}/)."
        if r.random() < 0.15:
            text += " Run `healthlint check` or set `dose_mg = 35` in the form."
        return wrap(text) if r.random() < 0.6 else text
    if kind == "list":
        marker = r.choice(["-", "*", "1."])
        return "\n".join(f"{marker} {sentence(r)}" for _ in range(r.randint(3, 6)))
    if kind == "quote":
        who = f"{r.choice(WORDS['name'])}, {r.choice(WORDS['city'])}"
        return f"> \u201c{fill(r.choice(QUOTES), r)}\u201d\n>\n> \u2014 {who}"
    if kind == "table":
        rows = [fill("| {treatment} | {price} | {time} |", r) for _ in range(r.randint(2, 5))]
        return "| Option | Cost | When people notice a change |\n|---|---|---|\n" + "\n".join(rows)
    if kind == "code":
        lang, code = r.choice(CODE)
        return f"```{lang}\n{code}\n```"
    if kind == "image":
        alt = fill(r.choice(["A patient resting during {treatment}", "The {clinic} waiting room",
                             "Miracle results for {condition}"]), r)
        return f"![{alt}](/img/{r.randint(1, 999)}.jpg)"
    return f"{r.choice(['##', '###'])} {r.choice(WORDS['topic'])}"


def html_block(r: random.Random) -> str:
    kind = r.choices(["para", "list", "quote", "image", "heading", "code"], [60, 12, 8, 5, 12, 3])[0]
    if kind == "para":
        return f"<p>{html.escape(paragraph(r), quote=False)}</p>"
    if kind == "list":
        items = "".join(f"\n  <li>{html.escape(sentence(r), quote=False)}</li>" for _ in range(r.randint(3, 6)))
        return f"<ul>{items}\n</ul>"
    if kind == "quote":
        quote = html.escape(fill(r.choice(QUOTES), r))
        return f"<blockquote><p>&ldquo;{quote}&rdquo;</p><cite>{r.choice(WORDS['name'])}</cite></blockquote>"
    if kind == "image":
        return f'<img src="/img/{r.randint(1, 999)}.jpg" alt="{html.escape(fill("A calm room at {clinic}", r))}">'
    if kind == "code":
        return f"<pre><code>{html.escape(r.choice(CODE)[1])}</code></pre>"
    return f"<h2>{html.escape(r.choice(WORDS['topic']))}</h2>"


def front_matter(r: random.Random, title: str) -> str:
    return (f"---\ntitle: \"{title}\"\ndescription: \"{fill('{treatment} for {condition} in {city}', r)}\"\n"
            f"date: {fill('{year}', r)}-0{r.randint(1, 9)}-1{r.randint(0, 9)}\ntags: [ketamine, mental-health]\n---\n")


def article(r: random.Random, size: int, fmt: str) -> str:
    """One page of about `size` characters; `fmt` is "markdown" or "html"."""
    title = fill(r.choice(["{treatment} for {condition}", "How {treatment} works", "{topic}",
                           "Is {treatment} right for you?"]), r)
    if fmt == "html":
        head = f"<head><title>{html.escape(title)}</title></head>"
        parts = [f"<!doctype html>\n<html lang=\"en\">\n{head}\n<body>\n<h1>{html.escape(title)}</h1>"]
        block = html_block
    else:
        parts = [front_matter(r, title), f"# {title}"]
        block = markdown_block
    length = sum(map(len, parts))
    while length < size:
        parts.append(block(r))
        length += len(parts[-1]) + 2
    if r.random() < 0.5:
        disclaimer = fill(r.choice(SENTENCES["disclaimer"]), r)
        parts.append(f"<p><small>{disclaimer}</small></p>" if fmt == "html" else f"*{disclaimer}*")
    if fmt == "html":
        parts.append("</body>\n</html>")
    return "\n\n".join(parts) + "\n"


def write_corpus(out: Path, mb: float, files: int, seed: int) -> int:
    """Write `files` pages totalling about `mb` MB into out/pages/NNN/; return the bytes written."""
    r = random.Random(seed)
    mean = mb * 1e6 / files
    total = 0
    for i in range(files):
        fmt = "html" if r.random() < 0.2 else "markdown"
        text = article(r, int(mean * r.uniform(0.4, 1.6)), fmt)
        path = out / "pages" / f"{i // 500:03d}" / f"page-{i:05d}.{'html' if fmt == 'html' else 'md'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        path.write_bytes(data)
        total += len(data)
    return total


def write_big(path: Path, mb: float, seed: int) -> int:
    """One Markdown file of about `mb` MB: many articles, one after another (front matter on the first only)."""
    r = random.Random(seed + 1)
    parts, size = [], 0
    while size < mb * 1e6:
        text = article(r, int(5000 * r.uniform(0.4, 1.6)), "markdown")
        parts.append(FRONT_MATTER.sub("", text) if parts else text)
        size += len(parts[-1].encode())
    data = "\n".join(parts).encode()
    path.write_bytes(data)
    return len(data)


def write_long_line(path: Path, mb: float, seed: int) -> int:
    """About `mb` MB of sentences with no line break at all (minified copy, a pasted blob)."""
    r = random.Random(seed + 2)
    parts, size = [], 0
    while size < mb * 1e6:
        parts.append(sentence(r))
        size += len(parts[-1].encode()) + 1
    data = " ".join(parts).encode()
    path.write_bytes(data)
    return len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench/out/corpus"))
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size and big.md size (MB = 10^6 bytes)")
    parser.add_argument("--files", type=int, default=4000)
    parser.add_argument("--line-mb", type=float, default=5.0, help="size of long-line.txt")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    started = time.perf_counter()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    corpus = write_corpus(args.out, args.mb, args.files, args.seed)
    big = write_big(args.out / "big.md", args.mb, args.seed)
    line = write_long_line(args.out / "long-line.txt", args.line_mb, args.seed)
    print(f"{args.out}: pages/ {args.files} files {corpus / 1e6:.2f} MB, big.md {big / 1e6:.2f} MB, "
          f"long-line.txt {line / 1e6:.2f} MB in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
