"""Name material for the synthetic SaaS accounts: company names, domains, CSM owners."""

from __future__ import annotations

import numpy as np

# (Korean, romanised) pairs; every syllable is in CP949 so the Korean-header CSV can be written.
KOREAN_PREFIXES: tuple[tuple[str, str], ...] = (
    ("한빛", "hanbit"),
    ("누리", "nuri"),
    ("가온", "gaon"),
    ("다온", "daon"),
    ("미래", "mirae"),
    ("새봄", "saebom"),
    ("하늘", "haneul"),
    ("바른", "bareun"),
    ("온누리", "onnuri"),
    ("푸른", "pureun"),
    ("대한", "daehan"),
    ("별빛", "byeolbit"),
    ("한결", "hangyeol"),
    ("아름", "areum"),
    ("세움", "seum"),
    ("이음", "ieum"),
    ("든든", "deundeun"),
    ("나래", "narae"),
)
KOREAN_SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "software": (("소프트", "soft"), ("테크", "tech"), ("랩스", "labs")),
    "manufacturing": (("정밀", "precision"), ("산업", "industries"), ("제조", "mfg")),
    "finance": (("금융", "finance"), ("캐피탈", "capital"), ("핀테크", "fintech")),
    "retail": (("유통", "retail"), ("마트", "mart"), ("커머스", "commerce")),
    "healthcare": (("헬스케어", "healthcare"), ("메디컬", "medical"), ("바이오", "bio")),
    "education": (("에듀", "edu"), ("교육", "education"), ("아카데미", "academy")),
    "media": (("미디어", "media"), ("엔터", "ent"), ("스튜디오", "studio")),
}
ENGLISH_PREFIXES: tuple[str, ...] = (
    "Blue River",
    "Northwind",
    "Brightline",
    "Summit",
    "Cobalt",
    "Redwood",
    "Silverleaf",
    "Harbor",
    "Granite",
    "Lumen",
    "Atlas",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Vertex",
    "Juniper",
    "Maple",
    "Crescent",
    "Aurora",
    "Kestrel",
    "Sakura",
    "Fjord",
    "Beacon",
)
ENGLISH_SUFFIXES: dict[str, tuple[str, ...]] = {
    "software": ("Software", "Labs", "Systems"),
    "manufacturing": ("Manufacturing", "Industries", "Works"),
    "finance": ("Capital", "Financial", "Payments"),
    "retail": ("Retail", "Stores", "Commerce"),
    "healthcare": ("Health", "Medical", "Care"),
    "education": ("Learning", "Academy", "Education"),
    "media": ("Media", "Studios", "Publishing"),
}
LEGAL_SUFFIX: dict[str, str] = {
    "KR": "Co., Ltd.",
    "US": "Inc.",
    "JP": "K.K.",
    "DE": "GmbH",
    "GB": "Ltd",
    "SG": "Pte. Ltd.",
}
TOP_LEVEL_DOMAIN: dict[str, str] = {
    "KR": "co.kr",
    "US": "com",
    "JP": "co.jp",
    "DE": "de",
    "GB": "co.uk",
    "SG": "com.sg",
}
KOREAN_OWNERS: tuple[str, ...] = ("김민지", "이준호", "박서연", "최유진")
GLOBAL_OWNERS: tuple[str, ...] = ("Alex Morgan", "Sarah Chen", "Daniel Weber", "Yuki Tanaka")
EMAIL_ROLES: tuple[str, ...] = ("admin", "ops", "it", "billing", "hello")


def company_names(
    rng: np.random.Generator,
    industries: np.ndarray,
    countries: np.ndarray,
    *,
    korean_share: float = 0.6,
) -> tuple[list[str], list[str]]:
    """Return unique company names and matching unique domains (Korean names for some KR accounts)."""
    names: list[str] = []
    domains: list[str] = []
    seen_names: dict[str, int] = {}
    seen_domains: dict[str, int] = {}
    korean = rng.random(len(industries)) < korean_share
    picks = rng.random((len(industries), 2))
    for i, (industry, country) in enumerate(zip(industries, countries, strict=True)):
        if country == "KR" and korean[i]:
            prefix = KOREAN_PREFIXES[int(picks[i, 0] * len(KOREAN_PREFIXES))]
            suffix = KOREAN_SUFFIXES[industry][int(picks[i, 1] * 3)]
            name, slug = f"{prefix[0]}{suffix[0]}", f"{prefix[1]}{suffix[1]}"
        else:
            prefix_en = ENGLISH_PREFIXES[int(picks[i, 0] * len(ENGLISH_PREFIXES))]
            suffix_en = ENGLISH_SUFFIXES[industry][int(picks[i, 1] * 3)]
            name = f"{prefix_en} {suffix_en} {LEGAL_SUFFIX[country]}"
            slug = f"{prefix_en}{suffix_en}".lower().replace(" ", "")
        count = seen_names.get(name, 0) + 1
        seen_names[name] = count
        if count > 1:
            name = f"{name} ({count})"
        base_domain = f"{slug}.{TOP_LEVEL_DOMAIN[country]}"
        n_domain = seen_domains.get(base_domain, 0) + 1
        seen_domains[base_domain] = n_domain
        domains.append(
            base_domain if n_domain == 1 else f"{slug}{n_domain}.{TOP_LEVEL_DOMAIN[country]}"
        )
        names.append(name)
    return names, domains
