"""Find the canonical columns of a logical table among a source's headers (English and Korean)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from segmint.contract import SUMMED_COLUMNS, contract_for
from segmint.errors import MissingColumnError

_CUSTOMER_ID = (
    "customerid", "customer", "custid", "customerno", "customernumber", "customercode",
    "clientid", "client", "memberid", "memberno", "accountid", "account", "companyid", "orgid",
    "organizationid", "userid", "고객id", "고객번호", "고객코드", "회원번호", "회원id", "고객아이디",
    "회원아이디", "고객", "회원",
)  # fmt: skip
_ORDER_DATE = (
    "orderdate", "invoicedate", "occurredat", "date", "purchasedate", "transactiondate",
    "createdat", "orderedat", "orderdatetime", "paidat", "paymentdate", "timestamp", "datetime",
    "주문일자", "주문일", "주문일시", "결제일", "결제일시", "결제일자", "거래일자", "거래일",
    "거래일시", "구매일", "구매일자", "구매일시", "일자", "날짜",
)  # fmt: skip
_AMOUNT = (
    "amount", "revenue", "sales", "total", "pricetotal", "dollarvalue", "totalamount",
    "orderamount", "ordertotal", "ordervalue", "netamount", "grossamount", "totalprice",
    "value", "결제금액", "매출", "금액", "주문금액", "매출액", "합계", "총액", "구매금액", "판매금액",
)  # fmt: skip
_ALIASES: dict[str, tuple[str, ...]] = {
    "quantity": ("quantity", "qty", "units", "unitssold", "수량", "주문수량"),
    "unit_price": ("unitprice", "price", "itemprice", "단가", "판매가", "판매단가"),
    "invoice_id": (
        "invoiceid", "invoice", "invoiceno", "invoicenumber", "orderid", "orderno",
        "ordernumber", "주문번호", "송장번호",
    ),
    "transaction_id": ("transactionid", "txnid", "paymentid", "lineid", "거래번호", "결제번호"),
    "product": (
        "product", "productname", "description", "itemname", "item", "productid", "stockcode",
        "sku", "상품명", "상품", "제품명", "상품코드",
    ),
    "category": (
        "category", "productcategory", "categoryname", "subcategory", "카테고리", "분류",
        "상품분류", "상품카테고리",
    ),
    "department": ("department", "dept", "division", "productdepartment", "부문", "상품부문", "대분류"),
    "discount": (
        "discount", "discountamount", "discountvalue", "discounttotal", "totaldiscount",
        "markdown", "할인", "할인금액", "할인액", "할인가액",
    ),
    "coupon": (
        "coupon", "couponcode", "couponid", "promocode", "promotioncode", "voucher", "vouchercode",
        "쿠폰", "쿠폰코드", "쿠폰번호", "프로모션코드",
    ),
    "channel": (
        "channel", "saleschannel", "orderchannel", "purchasechannel", "storetype", "채널",
        "판매채널", "주문채널", "구매채널", "medium", "touchchannel", "발송채널",
    ),
    "currency": ("currency", "currencycode", "통화"),
    "status": ("status", "orderstatus", "paymentstatus", "주문상태", "상태"),
    "name": ("name", "customername", "companyname", "company", "accountname", "고객명", "회사명", "이름"),
    "email": ("email", "emailaddress", "mail", "이메일"),
    "domain": ("domain", "website", "companydomain", "도메인"),
    "industry": ("industry", "sector", "vertical", "업종", "산업"),
    "employees": ("employees", "employeecount", "numemployees", "headcount", "companysize", "직원수"),
    "annual_revenue": ("annualrevenue", "yearlyrevenue", "arr", "연매출"),
    "country": ("country", "countrycode", "국가"),
    "region": ("region", "state", "province", "지역"),
    "plan": ("plan", "planname", "tier", "요금제", "플랜"),
    "owner": ("owner", "accountowner", "csm", "accountmanager", "담당자"),
    "email_consent": (
        "emailconsent", "marketingconsent", "optin", "emailoptin", "수신동의", "이메일수신동의",
        "마케팅수신동의",
    ),
    "technologies": ("technologies", "technology", "techstack", "tools", "사용기술", "기술스택"),
    "phone": ("phone", "phonenumber", "mobile", "tel", "전화번호", "휴대폰", "연락처"),
    "subscription_id": ("subscriptionid", "subid", "구독id"),
    "started_at": ("startedat", "startdate", "start", "subscriptionstart", "시작일", "구독시작일"),
    "ended_at": (
        "endedat", "enddate", "end", "canceledat", "cancelledat", "churnedat", "cancellationdate",
        "종료일", "해지일",
    ),
    "mrr": ("mrr", "monthlyrevenue", "monthlyamount", "monthlyfee", "월매출", "월요금", "월구독료"),
    "seats": ("seats", "licenses", "licences", "users", "좌석수", "라이선스"),
    "event": ("event", "eventname", "eventtype", "action", "이벤트", "이벤트명"),
    "user_id": ("userid", "user", "사용자id", "사용자"),
    "feature": ("feature", "featurename", "module", "기능"),
    "ticket_id": ("ticketid", "ticket", "caseid", "티켓번호"),
    "opened_at": ("openedat", "createdat", "created", "opendate", "submittedat", "접수일", "접수일시"),
    "closed_at": ("closedat", "resolvedat", "solvedat", "closedate", "종료일시", "해결일"),
    "priority": ("priority", "severity", "우선순위"),
    "csat": ("csat", "satisfaction", "csatscore", "rating", "만족도"),
    "experiment": ("experiment", "experimentname", "test", "campaign", "실험"),
    "variant": ("variant", "group", "arm", "treatment", "그룹"),
    "assigned_at": ("assignedat", "assigneddate", "date", "배정일"),
    "acquisition_channel": (
        "acquisitionchannel", "signupchannel", "signupsource", "source", "utmsource",
        "유입채널", "가입채널", "유입경로",
    ),
    "sent_at": ("sentat", "sentdate", "senttime", "sendat", "deliveredat", "발송일시", "발송일", "발송시각"),
    "campaign": ("campaign", "campaignname", "campaignid", "캠페인", "캠페인명"),
    "clicked_at": ("clickedat", "clickdate", "clicktime", "클릭일시", "클릭일"),
    "converted_at": ("convertedat", "conversiondate", "conversiontime", "전환일시", "전환일"),
    "offer": ("offer", "offercode", "promotion", "promo", "promocode", "혜택", "프로모션"),
}  # fmt: skip


def aliases_for(table: str, column: str) -> tuple[str, ...]:
    """Return the normalised header names that mean `column` in `table`, most specific first."""
    if column == "customer_id":
        names: tuple[str, ...] = _CUSTOMER_ID
        if table == "events":  # an event's user is not the customer (account)
            names = tuple(n for n in names if n not in ("userid",))
        if table == "customers":
            names = (*names, "id")
        return names
    if column == "occurred_at":
        if table == "events":
            return ("occurredat", "timestamp", "eventtime", "eventdate", "eventat", "time",
                    "datetime", "date", "createdat", "발생일시", "일시")  # fmt: skip
        return _ORDER_DATE
    if column == "amount":
        return _AMOUNT
    if column == "created_at" and table == "customers":
        return ("createdat", "signupdate", "signupat", "signedupat", "joindate", "joinedat",
                "registeredat", "registrationdate", "가입일", "가입일자", "가입일시")  # fmt: skip
    if column == "opened_at" and table == "touches":  # a message opened, not a ticket opened
        return ("openedat", "opendate", "opentime", "readat", "오픈일시", "열람일시", "열람일")
    return _ALIASES.get(column, (column.replace("_", ""),))


def summed_headers(table: str, canonical: str, given: str | Sequence[str]) -> list[str]:
    """Return the headers given for a column: one, or several for a summed column (discount)."""
    if isinstance(given, str):
        return [given]
    names = [str(name) for name in given]
    if (table, canonical) not in SUMMED_COLUMNS:
        raise ValueError(
            f"column {canonical!r} of table {table!r} takes one header, not a list; only "
            + ", ".join(sorted(c for t, c in SUMMED_COLUMNS if t == table) or ["none"])
            + " may sum several"
        )
    if not names:
        raise ValueError(f"column {canonical!r}: the list of headers is empty")
    return names


def normalise_header(name: str) -> str:
    """Return a header lower-cased without spaces, underscores, hyphens, dots or brackets."""
    return re.sub(r"[\s_\-./()\[\]#:]+", "", str(name)).lower()


def snake_case(name: str) -> str:
    """Return a snake_case column name for a source header (`Customer ID` → `customer_id`)."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(name).strip())
    text = re.sub(r"[^\w]+", "_", text).strip("_").lower()
    return text or "column"


def detect_columns(
    headers: Sequence[str],
    sample_frame: pd.DataFrame | None,
    table: str,
    *,
    overrides: Mapping[str, str | Sequence[str]] | None = None,
    source: str = "",
) -> dict[str, str]:
    """Return {canonical column: source header}: overrides, then names, then value types.

    A summed column (discount) given as a list maps to its first header; the others are
    claimed too, so no other column takes them (see `summed_headers`).
    """
    contract = contract_for(table)
    headers = list(headers)
    found: dict[str, str] = {}
    taken: set[str] = set()
    for canonical, given in (overrides or {}).items():
        if canonical not in contract.columns:
            raise ValueError(
                f"unknown column {canonical!r} for table {table!r}; allowed: "
                + ", ".join(contract.columns)
            )
        names = summed_headers(table, canonical, given)
        for header in names:
            if header not in headers:
                raise MissingColumnError(
                    source or table, header, headers, hint=f"given for {canonical}"
                )
        found[canonical] = names[0]
        taken.update(names)
    by_name: dict[str, str] = {}
    for header in headers:
        by_name.setdefault(normalise_header(header), header)
    for canonical in contract.columns:
        if canonical in found:
            continue
        for alias in aliases_for(table, canonical):
            match = by_name.get(alias)
            if match is not None and match not in taken:
                found[canonical] = match
                taken.add(match)
                break
    if sample_frame is not None:
        _detect_by_type(found, taken, headers, sample_frame, table)
    return {c: found[c] for c in contract.columns if c in found}


def _detect_by_type(
    found: dict[str, str], taken: set[str], headers: list[str], sample: pd.DataFrame, table: str
) -> None:
    """Fill required timestamp/money columns from the only unclaimed column of that type."""
    from segmint.sources.parsing import parse_amounts, parse_dates

    contract = contract_for(table)
    free = [h for h in headers if h not in taken and h in sample.columns]
    for canonical, kind in contract.required.items():
        if canonical in found or kind not in ("timestamp", "money"):
            continue
        if table == "transactions" and canonical == "amount" and "unit_price" in found:
            continue  # amount comes from quantity × unit price
        candidates = []
        for header in free:
            values = sample[header]
            present = values[values.notna()]
            if present.empty:
                continue
            if kind == "timestamp":
                parsed = parse_dates(present)
                ok = parsed.values.notna().mean() >= 0.9 and _not_plain_number(present)
            else:
                parsed = parse_amounts(present)
                ok = parsed.values.notna().mean() >= 0.9 and _has_fractions(parsed.values)
            if ok:
                candidates.append(header)
        if len(candidates) == 1:
            found[canonical] = candidates[0]
            taken.add(candidates[0])
            free.remove(candidates[0])


def _not_plain_number(values: pd.Series) -> bool:
    """Dates written as numbers only count when they look like YYYYMMDD."""
    text = values.astype("string").str.strip()
    numeric = text.str.fullmatch(r"\d+(\.\d+)?").fillna(False)
    compact = text.str.fullmatch(r"(19|20)\d{6}").fillna(False)
    return bool((~numeric | compact).all())


def _has_fractions(values: pd.Series) -> bool:
    """Money columns usually carry cents somewhere; integer columns are more often ids or counts."""
    return bool((values.dropna() != values.dropna().round(0)).any())
