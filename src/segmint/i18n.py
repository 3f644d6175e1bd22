"""Interface strings in English and Korean: `t(key, lang, **params)` and `detect_lang()`."""

from __future__ import annotations

import os
from collections.abc import Mapping

from segmint.i18n_activation import ACTIVATION_MESSAGES

LANGUAGES: tuple[str, ...] = ("en", "ko")
DEFAULT_LANG = "en"

# Every key carries both languages; tests/test_i18n.py fails when one is missing.
MESSAGES: dict[str, dict[str, str]] = {
    # -- experiments (segmint experiment ...) ---------------------------------------------------
    "exp.assigned": {
        "en": "experiment {experiment}: {new} customers newly assigned, {users} in all ({population})",
        "ko": "실험 {experiment}: 새로 배정한 고객 {new}명, 전체 {users}명 ({population})",
    },
    "exp.none": {
        "en": "no experiments yet; create one with `segmint experiment assign`",
        "ko": "아직 실험이 없습니다. `segmint experiment assign`으로 만드세요",
    },
    "exp.files_pair": {
        "en": "--assignments and --outcomes go together: give both",
        "ko": "--assignments와 --outcomes는 함께 지정해야 합니다",
    },
    "exp.name_needed": {
        "en": "name the experiment: segmint experiment analyze NAME -w WORKSPACE",
        "ko": "실험 이름을 지정하세요: segmint experiment analyze NAME -w WORKSPACE",
    },
    "exp.header": {
        "en": "experiment {experiment} · metric {metric} · {start} to {end} · {method}",
        "ko": "실험 {experiment} · 지표 {metric} · {start} ~ {end} · {method}",
    },
    "exp.method.fixed_horizon": {"en": "fixed-horizon test", "ko": "고정 표본 검정"},
    "exp.method.sequential": {
        "en": "sequential (always-valid) intervals",
        "ko": "순차 검정 (언제 보아도 유효한 구간)",
    },
    "exp.srm_ok": {
        "en": "sample ratio check: p = {p} (users per variant match the weights)",
        "ko": "표본 비율 검사: p = {p} (변형별 사용자 수가 가중치와 일치)",
    },
    "exp.srm_bad": {
        "en": "SAMPLE RATIO MISMATCH: p = {p}. Users per variant do not match the weights; "
        "the results below are NOT trustworthy",
        "ko": "표본 비율 불일치: p = {p}. 변형별 사용자 수가 가중치와 맞지 않습니다. "
        "아래 결과는 신뢰할 수 없습니다",
    },
    "exp.table_title": {
        "en": "relative uplift against {control} (95% interval; p adj = Benjamini-Hochberg; Win = chance to beat control; Loss = expected loss)",
        "ko": "{control} 대비 상대 향상 (95% 구간; 보정 p = 벤자미니-호흐베르크)",
    },
    "exp.cuped": {
        "en": "CUPED ({variant}): theta {theta}, variance of the uplift reduced by {reduction} "
        "(unadjusted uplift {unadjusted})",
        "ko": "CUPED ({variant}): 세타 {theta}, 향상 추정 분산 {reduction} 감소 (보정 전 향상 {unadjusted})",
    },
    "exp.warning": {"en": "warning", "ko": "경고"},
    "exp.all": {"en": "all customers", "ko": "전체 고객"},
    "exp.warn.small_segment": {
        "en": "segment {segment}: {users} users in its smallest arm, below {minimum} (MDE {mde})",
        "ko": "세그먼트 {segment}: 가장 작은 집단이 {users}명으로 최소 {minimum}명 미만 (최소 검출 효과 {mde})",
    },
    "exp.warn.not_computed": {
        "en": "{segment} · {variant}: relative uplift not computed ({why})",
        "ko": "{segment} · {variant}: 상대 향상을 계산하지 못했습니다 ({why})",
    },
    "exp.why.zero": {"en": "control mean is not positive", "ko": "대조군 평균이 0 이하"},
    "exp.why.flat": {"en": "no variance in an arm", "ko": "한 집단의 분산이 0"},
    "exp.warn.empty_arm": {
        "en": "variant {variant} has no users",
        "ko": "변형 {variant}에 사용자가 없습니다",
    },
    "exp.warn.unassigned_outcomes": {
        "en": "{customers} customers with outcomes were never assigned",
        "ko": "결과 데이터가 있지만 배정되지 않은 고객 {customers}명 (결과에서 제외)",
    },
    "exp.warn.segments_after_assignment": {
        "en": "segments of {scheme} are from run {run}, after assignment",
        "ko": "{scheme} 세그먼트는 배정 이후 실행 {run} 기준입니다",
    },
    "exp.warn.outcomes_rejected": {
        "en": "{rows} outcome rows could not be read",
        "ko": "결과 데이터 {rows}행을 읽지 못해 제외했습니다",
    },
    "exp.col.segment": {"en": "Segment", "ko": "세그먼트"},
    "exp.col.variant": {"en": "Variant", "ko": "변형"},
    "exp.col.weight": {"en": "Weight", "ko": "가중치"},
    "exp.col.users": {"en": "Users", "ko": "사용자"},
    "exp.col.mean": {"en": "Mean", "ko": "평균"},
    "exp.col.uplift": {"en": "Uplift", "ko": "향상"},
    "exp.col.interval": {"en": "95% interval", "ko": "95% 구간"},
    "exp.col.p": {"en": "p", "ko": "p"},
    "exp.col.p_adj": {"en": "p adj", "ko": "보정 p"},
    "exp.col.win": {"en": "Win", "ko": "승리 확률"},
    "exp.col.loss": {"en": "Loss", "ko": "기대 손실"},
    "exp.col.experiment": {"en": "Experiment", "ko": "실험"},
    "exp.col.variants": {"en": "Variants", "ko": "변형"},
    "exp.col.population": {"en": "Population", "ko": "대상"},
    "exp.col.started": {"en": "Started", "ko": "시작"},
    "exp.report_heading": {"en": "Experiments", "ko": "실험"},
    "exp.report_intro": {
        "en": "Relative uplift of each variant against {control} with its 95% interval (the bar; "
        "the line is no effect), per segment. Metric {metric}, {start} to {end}.",
        "ko": "세그먼트별로 각 변형의 {control} 대비 상대 향상과 95% 구간(막대; 세로선은 효과 없음). "
        "지표 {metric}, {start} ~ {end}.",
    },
    # -- dashboard (segmint serve) and its API --------------------------------------------------
    "cli.serve.listening": {
        "en": "segmint dashboard and API on {url} (workspace {workspace}); Ctrl+C stops it",
        "ko": "segmint 대시보드와 API: {url} (워크스페이스 {workspace}); Ctrl+C로 중지",
    },
    "cli.serve.no_tokens": {
        "en": "note: no API token yet; create one with `segmint token create NAME -w {workspace}`",
        "ko": "참고: API 토큰이 없습니다. `segmint token create NAME -w {workspace}`로 만드세요",
    },
    "cli.serve.public_host": {
        "en": "note: listening on {host}: tokens travel in plain HTTP; put TLS in front of it",
        "ko": "참고: {host}에서 수신 중입니다. 토큰이 암호화되지 않은 HTTP로 전송되니 앞단에 TLS를 두세요",
    },
    "cli.token.created": {
        "en": "token {name!r} ({scope}) created; it is shown only this once",
        "ko": "토큰 {name!r} ({scope}) 생성됨. 토큰은 이번 한 번만 표시됩니다",
    },
    "cli.token.revoked": {"en": "token {name!r} revoked", "ko": "토큰 {name!r} 폐기됨"},
    "cli.token.none": {"en": "no tokens yet", "ko": "토큰이 없습니다"},
    "cli.token.col.name": {"en": "name", "ko": "이름"},
    "cli.token.col.scope": {"en": "scope", "ko": "권한"},
    "cli.token.col.created_at": {"en": "created", "ko": "생성일"},
    "cli.token.col.revoked_at": {"en": "revoked", "ko": "폐기일"},
    "web.title": {"en": "Dashboard", "ko": "대시보드"},
    "web.nav.overview": {"en": "Overview", "ko": "개요"},
    "web.nav.cohorts": {"en": "Cohorts", "ko": "코호트"},
    "web.nav.discovery": {"en": "Clusters", "ko": "군집"},
    "web.nav.health": {"en": "Health", "ko": "건강 점수"},
    "web.search.placeholder": {"en": "Customer id or name", "ko": "고객 ID 또는 이름"},
    "web.search.button": {"en": "Search", "ko": "검색"},
    "web.search.title": {"en": "Find a customer", "ko": "고객 찾기"},
    "web.search.found": {
        "en": "{count} customers match “{q}”",
        "ko": "“{q}”와 일치하는 고객 {count}명",
    },
    "web.switch_language": {"en": "한국어", "ko": "English"},
    "web.logout": {"en": "Log out", "ko": "로그아웃"},
    "web.login.title": {"en": "Sign in", "ko": "로그인"},
    "web.login.intro": {
        "en": "Paste an API token of this workspace. It is kept in a browser cookie that scripts "
        "cannot read.",
        "ko": "이 워크스페이스의 API 토큰을 붙여 넣으세요. 토큰은 스크립트가 읽을 수 없는 브라우저 쿠키에 "
        "보관됩니다.",
    },
    "web.login.token": {"en": "Token", "ko": "토큰"},
    "web.login.submit": {"en": "Sign in", "ko": "로그인"},
    "web.login.failed": {
        "en": "Unknown or revoked token.",
        "ko": "알 수 없거나 폐기된 토큰입니다.",
    },
    "web.error.title": {"en": "Not available", "ko": "표시할 수 없음"},
    "web.overview.title": {"en": "Segments at a glance", "ko": "세그먼트 한눈에 보기"},
    "web.overview.movements": {
        "en": "Biggest movements since the last run",
        "ko": "지난 실행 이후 가장 큰 변화",
    },
    "web.overview.no_previous": {
        "en": "Only one run so far: movements show after the next run.",
        "ko": "아직 실행이 한 번뿐입니다. 다음 실행 후 변화가 표시됩니다.",
    },
    "web.overview.no_movements": {
        "en": "No segment changed size since the last run.",
        "ko": "지난 실행 이후 크기가 바뀐 세그먼트가 없습니다.",
    },
    "web.overview.runs": {"en": "Runs", "ko": "실행 기록"},
    "web.runs.kind": {"en": "Kind", "ko": "종류"},
    "web.runs.status": {"en": "Status", "ko": "상태"},
    "web.run_line": {
        "en": "Run {run} · as of {as_of} · {customers} customers",
        "ko": "실행 {run} · 기준일 {as_of} · 고객 {customers}명",
    },
    "web.run_line_short": {"en": "run {run}, as of {as_of}", "ko": "실행 {run}, 기준일 {as_of}"},
    "web.as_of": {"en": "As of", "ko": "기준일"},
    "web.scheme": {"en": "Scheme", "ko": "세분화 체계"},
    "web.segment": {"en": "Segment", "ko": "세그먼트"},
    "web.tag": {"en": "tag", "ko": "태그"},
    "web.customer": {"en": "Customer", "ko": "고객"},
    "web.customers": {"en": "Customers", "ko": "고객 수"},
    "web.share": {"en": "Share", "ko": "비중"},
    "web.change": {"en": "Change", "ko": "변화"},
    "web.name": {"en": "Name", "ko": "이름"},
    "web.why": {"en": "Why", "ko": "이유"},
    "web.population": {"en": "All customers", "ko": "전체 고객"},
    "web.window": {"en": "KPI window {days} days", "ko": "KPI 기간 {days}일"},
    "web.page": {"en": "page {page} of {pages}", "ko": "{pages}쪽 중 {page}쪽"},
    "web.no_results": {"en": "No customers match.", "ko": "일치하는 고객이 없습니다."},
    "web.churn_probability": {"en": "Churn probability", "ko": "이탈 확률"},
    "web.scheme.side_by_side": {
        "en": "Segments side by side (95% intervals)",
        "ko": "세그먼트 비교 (95% 신뢰구간)",
    },
    "web.scheme.significance": {
        "en": "Bold: differs from the rest of the customers after Benjamini–Hochberg adjustment.",
        "ko": "굵은 값: Benjamini–Hochberg 보정 후 나머지 고객과 유의하게 다릅니다.",
    },
    "web.scheme.sizes_over_time": {"en": "Sizes over time", "ko": "시간에 따른 크기"},
    "web.segment.size": {
        "en": "{customers} customers ({share} of all)",
        "ko": "고객 {customers}명 (전체의 {share})",
    },
    "web.segment.persona": {"en": "Persona", "ko": "페르소나"},
    "web.segment.no_persona": {
        "en": "No persona card for this segment.",
        "ko": "이 세그먼트의 페르소나 카드가 없습니다.",
    },
    "web.segment.revenue": {
        "en": "Revenue {revenue} ({share} of all revenue)",
        "ko": "매출 {revenue} (전체 매출의 {share})",
    },
    "web.segment.kpis_vs_population": {
        "en": "KPIs against all customers",
        "ko": "전체 고객 대비 KPI",
    },
    "web.segment.members": {"en": "Members", "ko": "구성 고객"},
    "web.segment.export": {"en": "Export CSV", "ko": "CSV 내보내기"},
    "web.customer.scores": {"en": "Scores", "ko": "점수"},
    "web.customer.segments": {"en": "Segments and why", "ko": "세그먼트와 이유"},
    "web.customer.history": {"en": "Segment history", "ko": "세그먼트 이력"},
    "web.customer.records": {"en": "Merged records", "ko": "통합된 레코드"},
    "web.customer.source": {"en": "Source", "ko": "출처"},
    "web.customer.linked_by": {"en": "Linked by", "ko": "연결 기준"},
    "web.customer.details": {"en": "Features and values", "ko": "특성과 값"},
    "web.cohorts.by_month": {"en": "By month", "ko": "월별"},
    "web.discovery.title": {"en": "Discovered clusters", "ko": "발견된 군집"},
    "web.discovery.caption": {
        "en": "{k} clusters ({method}) found in the features of run {run} (as of {as_of})",
        "ko": "실행 {run}(기준일 {as_of})의 피처에서 찾은 군집 {k}개({method})",
    },
    "web.discovery.older": {
        "en": "Found in run {run}; the newest run is {latest}. Run segmint discover -w WORKSPACE "
        "--save again to profile the newest data.",
        "ko": "실행 {run}에서 찾은 군집입니다. 최신 실행은 {latest}입니다. 최신 데이터로 보려면 "
        "segmint discover -w WORKSPACE --save를 다시 실행하세요.",
    },
    "web.discovery.rows": {"en": "{rows} customers", "ko": "고객 {rows}명"},
    "web.discovery.traits_column": {"en": "Traits (difference)", "ko": "특징(차이)"},
    "web.discovery.sizes": {"en": "Cluster sizes", "ko": "군집 크기"},
    "web.discovery.profiles": {"en": "Cluster profiles", "ko": "군집 프로필"},
    "web.discovery.traits": {
        "en": "What sets each cluster apart",
        "ko": "각 군집을 구별하는 특징",
    },
    "web.discovery.medians": {
        "en": "Median of each feature per cluster",
        "ko": "군집별 피처 중앙값",
    },
    "web.discovery.choice": {"en": "How k was chosen", "ko": "k 선택 근거"},
    "web.discovery.stability": {
        "en": "Stability (adjusted Rand index over bootstrap refits): {ari}",
        "ko": "안정성(부트스트랩 재적합의 조정 랜드 지수): {ari}",
    },
    "web.discovery.feature": {"en": "Feature", "ko": "피처"},
    "web.discovery.difference": {
        "en": "Difference (population SDs)",
        "ko": "차이(모집단 표준편차 단위)",
    },
    "web.discovery.none": {
        "en": "No cluster profiles are stored yet. Run segmint discover -w WORKSPACE --save.",
        "ko": "저장된 군집 프로필이 없습니다. segmint discover -w WORKSPACE --save를 실행하세요.",
    },
    "web.cohorts.by_week": {"en": "By week", "ko": "주별"},
    "web.cohorts.periods_month": {
        "en": "Months since the first purchase",
        "ko": "첫 구매 후 개월 수",
    },
    "web.cohorts.periods_week": {"en": "Weeks since the first purchase", "ko": "첫 구매 후 주 수"},
    "web.health.score": {"en": "Health score", "ko": "건강 점수"},
    "web.health.mean": {"en": "Mean", "ko": "평균"},
    "web.health.median": {"en": "Median", "ko": "중앙값"},
    "web.health.distribution": {"en": "Distribution", "ko": "분포"},
    "web.health.bands": {"en": "Bands", "ko": "등급"},
    "web.health.trend": {"en": "Trend over runs", "ko": "실행별 추이"},
    "web.nav.migration": {"en": "Migration", "ko": "이동"},
    "web.nav.experiments": {"en": "Experiments", "ko": "실험"},
    "web.nav.actions": {"en": "Actions", "ko": "액션"},
    "web.migration.title": {
        "en": "Migration of {scheme}: run {from_run} ({from_as_of}) → run {to_run} ({to_as_of})",
        "ko": "{scheme} 이동: 실행 {from_run} ({from_as_of}) → 실행 {to_run} ({to_as_of})",
    },
    "web.migration.flows": {"en": "Flows between segments", "ko": "세그먼트 간 흐름"},
    "web.migration.matrix": {
        "en": "Matrix: rows are the earlier segments, columns the later ones (share of the row)",
        "ko": "행렬: 행은 이전 세그먼트, 열은 이후 세그먼트 (행 기준 비율)",
    },
    "web.migration.from_to": {"en": "from \\ to", "ko": "이전 \\ 이후"},
    "web.migration.total": {"en": "Total", "ko": "합계"},
    "web.migration.changes": {
        "en": "Customers who changed segment ({count})",
        "ko": "세그먼트가 바뀐 고객 ({count}명)",
    },
    "web.migration.from": {"en": "From", "ko": "이전"},
    "web.migration.to": {"en": "To", "ko": "이후"},
    "web.migration.scheme": {"en": "Scheme", "ko": "스킴"},
    "web.migration.show": {"en": "Show", "ko": "보기"},
    "web.nav.validity": {"en": "Validity", "ko": "타당성"},
    "web.validity.title": {
        "en": "Do the segments of {scheme} predict churn? ({days}-day horizon)",
        "ko": "{scheme} 세그먼트가 이탈을 예측하는가? ({days}일 관찰)",
    },
    "web.validity.at": {
        "en": "Segments as of {as_of}: churn in the {days} days after",
        "ko": "{as_of} 기준 세그먼트: 이후 {days}일 동안의 이탈",
    },
    "web.validity.churn_rate": {"en": "Churn rate (95% interval)", "ko": "이탈률 (95% 구간)"},
    "web.validity.at_risk": {"en": "Could churn", "ko": "이탈 가능 고객"},
    "web.validity.churned": {"en": "Churned", "ko": "이탈"},
    "web.validity.revenue": {"en": "Revenue per customer", "ko": "고객당 매출"},
    "web.validity.summary": {
        "en": "Pooled over the judged runs: {n} customer-runs, {churned} churned; chi-square {chi} "
        "(p {p}); churn AUC of the segments {auc}",
        "ko": "판정된 실행 합산: 고객-실행 {n}건, 이탈 {churned}건; 카이제곱 {chi} (p {p}); "
        "세그먼트의 이탈 AUC {auc}",
    },
    "web.validity.unobserved": {
        "en": "Not judged yet (the horizon has not passed): {dates}",
        "ko": "아직 판정 불가 (관찰 기간 미경과): {dates}",
    },
    "web.validity.horizon": {"en": "Horizon", "ko": "관찰 기간"},
    "web.experiments.title": {"en": "Experiments", "ko": "실험"},
    "web.experiments.none": {
        "en": "No experiment yet: start one with `segmint experiment assign`.",
        "ko": "아직 실험이 없습니다. `segmint experiment assign`으로 시작하세요.",
    },
    "web.experiments.variants": {"en": "Variants", "ko": "변형"},
    "web.experiments.population": {"en": "Population", "ko": "대상"},
    "web.experiments.users": {"en": "Users", "ko": "사용자 수"},
    "web.experiments.metric": {"en": "Metric", "ko": "지표"},
    "web.experiments.started": {"en": "Assigned from", "ko": "배정 시작"},
    "web.experiments.results": {
        "en": "Results per segment (95% intervals; p adjusted with Benjamini–Hochberg)",
        "ko": "세그먼트별 결과 (95% 구간, p값은 Benjamini–Hochberg 보정)",
    },
    "web.experiments.all": {"en": "All customers", "ko": "전체 고객"},
    "web.experiments.variant": {"en": "Variant", "ko": "변형"},
    "web.experiments.mean": {"en": "Mean", "ko": "평균"},
    "web.experiments.uplift": {"en": "Uplift (absolute)", "ko": "향상 (절대값)"},
    "web.experiments.relative": {"en": "Relative", "ko": "상대"},
    "web.experiments.interval": {"en": "95% interval", "ko": "95% 구간"},
    "web.experiments.p": {"en": "p (adjusted)", "ko": "p값 (보정)"},
    "web.experiments.chance": {"en": "Chance to win", "ko": "우세 확률"},
    "web.experiments.srm": {
        "en": "Sample ratio mismatch: the variants' sizes differ from their weights (p = {p})",
        "ko": "표본 비율 불일치: 변형별 인원이 가중치와 다릅니다 (p = {p})",
    },
    "web.actions.title": {"en": "Action queue", "ko": "액션 대기열"},
    "web.actions.none": {
        "en": "No actions: the workspace has no playbooks, or no run has planned any.",
        "ko": "액션이 없습니다. 플레이북이 없거나 아직 실행에서 계획되지 않았습니다.",
    },
    "web.actions.due": {"en": "Actions due", "ko": "예정된 액션"},
    "web.actions.all_due": {
        "en": "All {count} due actions",
        "ko": "예정된 액션 {count}건 모두 보기",
    },
    "web.actions.due_at": {"en": "Due", "ko": "기한"},
    "web.actions.playbook": {"en": "Playbook", "ko": "플레이북"},
    "web.actions.action": {"en": "Action", "ko": "액션"},
    "web.actions.owner": {"en": "Owner", "ko": "담당자"},
    "web.actions.status": {"en": "Status", "ko": "상태"},
    "web.actions.reason": {"en": "Why", "ko": "이유"},
    "web.actions.priority": {"en": "Priority", "ko": "우선순위"},
    "web.actions.filter": {"en": "Status", "ko": "상태"},
    "web.actions.open": {"en": "open", "ko": "진행 중"},
    "web.actions.all": {"en": "all", "ko": "전체"},
    "web.actions.mark_done": {"en": "Mark done", "ko": "완료 처리"},
    "web.actions.skip": {"en": "Skip", "ko": "건너뛰기"},
    "web.actions.admin_only": {
        "en": "Marking actions done needs an admin token.",
        "ko": "액션 완료 처리에는 관리자 토큰이 필요합니다.",
    },
    "web.actions.shown": {
        "en": "{shown} of {total} actions",
        "ko": "액션 {total}건 중 {shown}건",
    },
    "web.actions.customer": {"en": "Actions for this customer", "ko": "이 고객의 액션"},
    "web.goals.title": {"en": "Goals", "ko": "목표"},
    "web.goals.goal": {"en": "Goal", "ko": "목표"},
    "web.goals.latest": {"en": "Latest", "ko": "최근 값"},
    "web.goals.target": {"en": "Target", "ko": "목표값"},
    "web.goals.by": {"en": "By", "ko": "기한"},
    "web.goals.projected": {"en": "Projected", "ko": "예상"},
    "web.goals.status": {"en": "Status", "ko": "상태"},
    "web.goals.met": {"en": "met", "ko": "달성"},
    "web.goals.on_track": {"en": "on track", "ko": "순항"},
    "web.goals.off_track": {"en": "off track", "ko": "미달 예상"},
    # -- segmint insights channels | behaviours | hypothesis | survival ------------------------
    "insights.behaviours.intro": {
        "en": "outcome {outcome} · behaviours in the first {first} days after signup · outcome "
        "counted to day {horizon} · {population} customers fully observed · baseline {baseline}",
        "ko": "결과 {outcome} · 가입 후 처음 {first}일의 행동 · 결과는 {horizon}일째까지 집계 · "
        "전체 관측 고객 {population}명 · 기준 비율 {baseline}",
    },
    "insights.behaviours.title": {
        "en": "Behaviours and the outcome (difference: doers − non-doers in points, 95% interval)",
        "ko": "행동과 결과 (차이: 한 고객 − 안 한 고객, %p, 95% 구간)",
    },
    "insights.behaviours.too_few": {
        "en": "{behaviour}: only {n} customers on one side (fewer than {min}): not compared",
        "ko": "{behaviour}: 한쪽 고객이 {n}명뿐 ({min}명 미만): 비교하지 않음",
    },
    "insights.behaviours.adjusted": {
        "en": "adjusted: doubly robust (AIPW) average difference over all eligible customers, "
        "controlling for {columns}",
        "ko": "보정: {columns}을(를) 통제한 이중 강건(AIPW) 평균 차이 (대상 고객 전체 기준)",
    },
    "insights.behaviours.note": {
        "en": "These are associations, not effects: customers choose what they do. Test a "
        "behaviour with an experiment before pushing it.",
        "ko": "이 수치는 연관성이며 효과가 아닙니다: 고객이 스스로 행동을 고릅니다. 행동을 권장하기 전에 "
        "실험으로 검증하세요.",
    },
    "insights.survival.title": {
        "en": "Subscriber retention by {attribute} (Kaplan–Meier, 95% interval; {customers} subscribers)",
        "ko": "{attribute}별 구독 유지율 (카플란-마이어, 95% 구간; 구독 고객 {customers}명)",
    },
    "insights.survival.note": {
        "en": "Customers still subscribed are censored at the cut-off, never counted as retained "
        "beyond it; p adj.: log-rank test of each group against the rest, Benjamini-Hochberg adjusted.",
        "ko": "아직 구독 중인 고객은 기준일에서 중도절단되며 그 이후 유지로 세지 않습니다. 보정 p: 각 그룹 대 "
        "나머지의 로그순위 검정(벤자미니-호흐베르크 보정).",
    },
    "insights.channels.intro": {
        "en": "scheme {scheme} · run {run} · {touches} touches ({pending} still pending) · "
        "conversion window {window} days",
        "ko": "세분화 체계 {scheme} · 실행 {run} · 접촉 {touches}건 (대기 중 {pending}건) · 전환 기간 {window}일",
    },
    "insights.channels.title": {
        "en": "Response per segment and channel (rate (numerator/denominator; 95% interval); "
        "* = differs from other segments, BH-adjusted p < 0.05)",
        "ko": "세그먼트·채널별 반응 (비율 (분자/분모; 95% 구간); * = 다른 세그먼트와 다름, BH 보정 p < 0.05)",
    },
    "insights.channels.fatigue": {
        "en": "Fatigue: conversion by touches received in the previous {days} days",
        "ko": "피로도: 직전 {days}일 동안 받은 접촉 수별 전환율",
    },
    "insights.channels.preferred": {
        "en": "preferred channel per customer (named when P(best) ≥ 0.8): {counts}",
        "ko": "고객별 선호 채널 (최고일 확률 0.8 이상일 때 지정): {counts}",
    },
    "insights.channels.note": {
        "en": "Observational rates: who received which message was chosen, not randomised. Run an "
        "experiment for causal answers.",
        "ko": "관측된 비율입니다: 누가 어떤 접촉을 받을지는 무작위가 아니었습니다. 인과적 답은 실험으로 확인하세요.",
    },
    "engagement.heading": {
        "en": "Understand: channels and behaviours",
        "ko": "이해하기: 채널과 행동",
    },
    "engagement.intro": {
        "en": "What each segment responds to, and which early behaviours go with staying. "
        "Observational figures with their evidence: bold = the 95% interval excludes no "
        "difference (or * = differs from the other segments, BH-adjusted p < 0.05).",
        "ko": "각 세그먼트가 무엇에 반응하는지, 어떤 초기 행동이 유지와 함께 나타나는지. 근거와 함께 제시한 관측 "
        "수치입니다: 굵게 = 95% 구간이 차이 없음(0)을 포함하지 않음 (* = 다른 세그먼트와 다름, BH 보정 p < 0.05).",
    },
    "understand.channels_heading": {"en": "Channels", "ko": "채널"},
    "understand.behaviours_heading": {
        "en": "Early behaviours and the outcome",
        "ko": "초기 행동과 결과",
    },
    "understand.channels_caption": {
        "en": "Scheme {scheme}: response per segment and channel (conversion within {window} days; "
        "{pending} touches still pending are left out)",
        "ko": "세분화 체계 {scheme}: 세그먼트·채널별 반응 ({window}일 이내 전환; 아직 대기 중인 접촉 {pending}건 제외)",
    },
    "insights.col.behaviour": {"en": "behaviour", "ko": "행동"},
    "insights.channels.backtest": {
        "en": "backtest ({days} days after {cut}, {customers} customers with a named preferred channel): "
        "touches on the preferred channel converted {model}, touches on the most-sent channel "
        "{naive}; difference {diff} points (95% bootstrap interval {low} … {high})",
        "ko": "백테스트 ({cut} 이후 {days}일, 선호 채널이 지정된 고객 {customers}명): 선호 채널 접촉 전환율 "
        "{model}, 가장 많이 보낸 채널 접촉 전환율 {naive}; 차이 {diff}%p (95% 부트스트랩 구간 {low} … {high})",
    },
    "insights.undetermined": {"en": "undetermined", "ko": "미정"},
    "insights.too_few_touches": {"en": "too few touches", "ko": "접촉 부족"},
    "insights.col.did": {"en": "did it", "ko": "수행 고객"},
    "insights.col.rate_did": {"en": "rate if did", "ko": "수행 시 비율"},
    "insights.col.rate_did_not": {"en": "rate if not", "ko": "미수행 시 비율"},
    "insights.col.difference": {"en": "difference", "ko": "차이"},
    "insights.col.p_adj": {"en": "p adj.", "ko": "보정 p"},
    "insights.col.adjusted": {"en": "adjusted difference", "ko": "보정 차이"},
    "insights.col.customers": {"en": "customers", "ko": "고객 수"},
    "insights.col.churned": {"en": "churned", "ko": "이탈"},
    "insights.col.day": {"en": "day {day}", "ko": "{day}일"},
    "insights.col.median": {"en": "median days", "ko": "중앙값(일)"},
    "insights.col.segment": {"en": "segment", "ko": "세그먼트"},
    "insights.col.channel": {"en": "channel", "ko": "채널"},
    "insights.col.campaign": {"en": "campaign", "ko": "캠페인"},
    "insights.col.touches": {"en": "touches", "ko": "접촉"},
    "insights.col.open_rate": {"en": "open rate", "ko": "오픈율"},
    "insights.col.click_rate": {"en": "click rate", "ko": "클릭률"},
    "insights.col.conversion_rate": {"en": "conversion rate", "ko": "전환율"},
    "insights.col.revenue_per_touch": {"en": "revenue per message", "ko": "접촉당 매출"},
    "insights.col.earlier": {"en": "earlier touches", "ko": "이전 접촉 수"},
    # -- report frame -------------------------------------------------------------------------
    "report.title": {"en": "Customer segmentation report", "ko": "고객 세분화 보고서"},
    "report.migration_runs": {
        "en": "run {from_run} → run {to_run}",
        "ko": "실행 {from_run} → 실행 {to_run}",
    },
    # -- workspace run report (segmint run) ----------------------------------------------------
    "run.subtitle": {"en": "Run {run} · as of {as_of}", "ko": "실행 {run} · 기준일 {as_of}"},
    "run.scheme_heading": {"en": "Scheme: {name}", "ko": "세분화 체계: {name}"},
    "run.tags_heading": {"en": "Tags", "ko": "태그"},
    "run.icp_heading": {"en": "ICP fit and the evidence", "ko": "ICP 적합도와 근거"},
    "run.icp_evidence": {
        "en": "How well each separates successful customers (top value, retained; {rate} of all): "
        "configured ICP rules AUC {auc_rules}, similarity model on firmographics AUC {auc_model}.",
        "ko": "성공 고객(상위 가치, 유지; 전체의 {rate})을 구분하는 정도: 설정한 ICP 규칙 AUC {auc_rules}, "
        "기업 속성 유사도 모델 AUC {auc_model}.",
    },
    "run.personas_caption": {
        "en": "Persona cards: what sets each segment apart",
        "ko": "페르소나 카드: 각 세그먼트를 구별하는 특징",
    },
    "run.traits": {"en": "What sets it apart", "ko": "주요 특징"},
    "run.playbook": {"en": "Playbook", "ko": "플레이북"},
    "run.health_heading": {"en": "Health score", "ko": "고객 건강 점수"},
    "run.tiers_heading": {"en": "Service tiers", "ko": "서비스 등급"},
    "run.churn_heading": {"en": "Churn model", "ko": "이탈 예측 모델"},
    "run.churn_intro": {
        "en": "Label: {label}. Validated on the latest cut-off after training on earlier ones ({rows} training rows).",
        "ko": "레이블: {label}. 이전 기준일로 학습하고 최근 기준일로 검증했습니다 (학습 행 {rows}개).",
    },
    "report.generated_by": {
        "en": "Generated by segmint {version}",
        "ko": "segmint {version}(으)로 생성됨",
    },
    "report.subtitle": {
        "en": "Source: {source} · as of {as_of}",
        "ko": "원본: {source} · 기준일 {as_of}",
    },
    "report.contents": {"en": "Contents", "ko": "목차"},
    "report.no_data": {"en": "No data.", "ko": "데이터가 없습니다."},
    "report.rows_shown": {
        "en": "Showing {shown} of {total} rows.",
        "ko": "전체 {total}행 중 {shown}행 표시.",
    },
    "report.notes": {"en": "Notes", "ko": "참고"},
    # -- summary ------------------------------------------------------------------------------
    "summary.heading": {"en": "Summary", "ko": "요약"},
    "summary.rows_read": {"en": "Rows read", "ko": "읽은 행"},
    "summary.rows_loaded": {"en": "Rows loaded", "ko": "적재된 행"},
    "summary.rows_rejected": {"en": "Rows rejected", "ko": "거부된 행"},
    "summary.customers": {"en": "Customers", "ko": "고객 수"},
    "summary.amount_total": {"en": "Total amount", "ko": "총 금액"},
    "summary.period": {"en": "Period", "ko": "기간"},
    "summary.first_date": {"en": "First date", "ko": "첫 거래일"},
    "summary.last_date": {"en": "Last date", "ko": "마지막 거래일"},
    "summary.as_of": {"en": "As of", "ko": "기준일"},
    "summary.encoding": {"en": "Encoding", "ko": "인코딩"},
    # -- segments -----------------------------------------------------------------------------
    "segments.heading": {"en": "RFM segments", "ko": "RFM 세그먼트"},
    "segments.intro": {
        "en": "Customers grouped by recency (R), frequency (F) and monetary value (M) scores.",
        "ko": "최근성(R), 구매 빈도(F), 구매 금액(M) 점수로 고객을 묶었습니다.",
    },
    "segments.sizes": {"en": "Customers per segment", "ko": "세그먼트별 고객 수"},
    "segments.revenue": {"en": "Revenue per segment", "ko": "세그먼트별 매출"},
    "segments.shares": {
        "en": "Share of customers and of revenue",
        "ko": "고객 비중과 매출 비중",
    },
    "col.segment": {"en": "Segment", "ko": "세그먼트"},
    "col.customers": {"en": "Customers", "ko": "고객 수"},
    "col.share": {"en": "Share", "ko": "고객 비중"},
    "col.revenue": {"en": "Revenue", "ko": "매출"},
    "col.revenue_share": {"en": "Revenue share", "ko": "매출 비중"},
    "col.avg_recency": {"en": "Avg. recency (days)", "ko": "평균 최근성(일)"},
    "col.avg_frequency": {"en": "Avg. frequency", "ko": "평균 구매 빈도"},
    "col.avg_monetary": {"en": "Avg. order value", "ko": "평균 구매 금액"},
    "col.avg_clv": {"en": "Avg. CLV (365 d)", "ko": "평균 CLV(365일)"},
    "col.avg_p_alive": {"en": "Avg. P(alive)", "ko": "평균 활성 확률"},
    "col.column": {"en": "Column", "ko": "컬럼"},
    "col.source_column": {"en": "Source column", "ko": "원본 컬럼"},
    "col.null_share": {"en": "Share of rows missing", "ko": "결측 비율"},
    "col.reason": {"en": "Reason", "ko": "사유"},
    "col.rows": {"en": "Rows", "ko": "행 수"},
    "col.line": {"en": "Line", "ko": "줄"},
    "col.raw": {"en": "Raw text", "ko": "원본 텍스트"},
    "col.file": {"en": "File", "ko": "파일"},
    "legend.customers": {"en": "customers", "ko": "고객"},
    "legend.revenue": {"en": "revenue", "ko": "매출"},
    # -- RFM grid -----------------------------------------------------------------------------
    "grid.heading": {"en": "RFM grid", "ko": "RFM 격자"},
    "grid.intro": {
        "en": "Customers per recency score (rows) and frequency score (columns); higher is better "
        "on both axes. Each cell shows its number of customers and the most common segment among "
        "them (a segment also depends on the monetary score, so one cell can hold several).",
        "ko": "최근성 점수(행)와 구매 빈도 점수(열)별 고객 수입니다. 두 축 모두 높을수록 좋습니다. "
        "각 칸에는 고객 수와 그 칸에서 가장 많은 세그먼트가 표시됩니다(세그먼트는 구매 금액 점수에도 "
        "좌우되므로 한 칸에 여러 세그먼트가 섞일 수 있습니다).",
    },
    "chart.revenue_axis": {"en": "revenue", "ko": "매출"},
    "grid.r_axis": {"en": "Recency score (R)", "ko": "최근성 점수(R)"},
    "grid.f_axis": {"en": "Frequency score (F)", "ko": "구매 빈도 점수(F)"},
    "grid.fm_axis": {"en": "Frequency + monetary score (FM)", "ko": "빈도·금액 점수(FM)"},
    # -- quality ------------------------------------------------------------------------------
    "quality.heading": {"en": "Data quality", "ko": "데이터 품질"},
    "quality.null_shares": {"en": "Missing values per column", "ko": "컬럼별 결측 비율"},
    "quality.rejects": {"en": "Rejected rows by reason", "ko": "사유별 거부 행"},
    "quality.columns": {"en": "Detected columns", "ko": "인식된 컬럼"},
    "quality.rejected_sample": {"en": "Sample of rejected rows", "ko": "거부된 행 예시"},
    "quality.none_rejected": {"en": "No rows were rejected.", "ko": "거부된 행이 없습니다."},
    # -- value (CLV) --------------------------------------------------------------------------
    "value.heading": {"en": "Customer value", "ko": "고객 가치"},
    "value.intro": {
        "en": "Expected value over the next 365 days (BG/NBD + Gamma-Gamma) and the "
        "probability that a customer is still active.",
        "ko": "향후 365일 기대 가치(BG/NBD + Gamma-Gamma)와 고객이 아직 활성일 확률입니다.",
    },
    "value.clv_histogram": {
        "en": "Distribution of CLV (365 days)",
        "ko": "CLV(365일) 분포",
    },
    "value.p_alive_histogram": {"en": "Distribution of P(alive)", "ko": "활성 확률 분포"},
    "value.intro_model": {
        "en": "Expected value over the next 365 days ({model} purchases × Gamma-Gamma spend, "
        "net of each customer's refunds) and the probability that a customer is still active.",
        "ko": "향후 365일 기대 가치({model} 구매 × Gamma-Gamma 금액, 고객별 환불 차감)와 "
        "고객이 아직 활성일 확률입니다.",
    },
    "value.intro_nbd": {
        "en": "Expected value over the next 365 days (NBD purchase rates × Gamma-Gamma spend, "
        "net of each customer's refunds). No drop-out is detectable in this data, so the "
        "forecast assumes nobody leaves and P(alive) is not identifiable: it is left empty, "
        "not shown as 100%.",
        "ko": "향후 365일 기대 가치(NBD 구매율 × Gamma-Gamma 금액, 고객별 환불 차감)입니다. "
        "이 데이터에서는 이탈을 식별할 수 없어 아무도 이탈하지 않는다고 가정해 예측하며, "
        "활성 확률은 추정할 수 없으므로 100%로 표시하지 않고 비워 둡니다.",
    },
    "value.clv_zero": {
        "en": "{count} customers have net spend ≤ 0 (refunds cancel their purchases): "
        "their CLV is 0 (reason in the clv_note column of customers.csv).",
        "ko": "순매출이 0 이하인 고객 {count}명(환불이 구매를 상쇄)의 CLV는 0입니다"
        "(사유는 customers.csv의 clv_note 컬럼).",
    },
    # -- cross-sell ---------------------------------------------------------------------------
    "xsell.heading": {"en": "Cross-sell recommendations", "ko": "교차 판매 추천"},
    "xsell.intro": {
        "en": "Products each customer has not bought yet, ranked by association rules and "
        "basket similarity (spellings that differ only in case, spaces or punctuation count "
        "as one product). Per-customer picks and evidence are in customers.csv (rec_1..rec_3).",
        "ko": "고객이 아직 구매하지 않은 상품을 연관 규칙과 장바구니 유사도로 순위를 매겼습니다"
        "(대소문자·공백·문장부호만 다른 표기는 같은 상품). 고객별 추천과 근거는 "
        "customers.csv(rec_1..rec_3)에 있습니다.",
    },
    "xsell.by_segment": {
        "en": "Top recommendation per RFM segment",
        "ko": "RFM 세그먼트별 최다 추천 상품",
    },
    "col.recommended_item": {"en": "Recommended item", "ko": "추천 상품"},
    "col.top_pick_customers": {"en": "Top pick for (customers)", "ko": "1순위 추천 고객 수"},
    "col.top3_customers": {"en": "In top 3 for (customers)", "ko": "상위 3위 추천 고객 수"},
    "col.avg_rec_score": {"en": "Avg. score", "ko": "평균 점수"},
    "col.top_pick_share": {"en": "Share of segment", "ko": "세그먼트 내 비율"},
    "value.by_segment": {"en": "Value per RFM segment", "ko": "RFM 세그먼트별 가치"},
    "chart.customers_axis": {"en": "customers", "ko": "고객 수"},
    # -- RFM segment names --------------------------------------------------------------------
    "segment.Champions": {"en": "Champions", "ko": "챔피언"},
    "segment.Loyal Customers": {"en": "Loyal Customers", "ko": "충성 고객"},
    "segment.Potential Loyalists": {"en": "Potential Loyalists", "ko": "잠재 충성 고객"},
    "segment.New Customers": {"en": "New Customers", "ko": "신규 고객"},
    "segment.Promising": {"en": "Promising", "ko": "유망 고객"},
    "segment.Need Attention": {"en": "Need Attention", "ko": "관심 필요"},
    "segment.About to Sleep": {"en": "About to Sleep", "ko": "휴면 직전"},
    "segment.At Risk": {"en": "At Risk", "ko": "이탈 위험"},
    "segment.Can't Lose Them": {"en": "Can't Lose Them", "ko": "놓치면 안 되는 고객"},
    "segment.Hibernating": {"en": "Hibernating", "ko": "동면 고객"},
    "segment.Lost": {"en": "Lost", "ko": "이탈 고객"},
    # -- run report: what needs attention -----------------------------------------------------
    "summary.at_risk_value": {"en": "{value} at risk", "ko": "위험 {value}"},
    "summary.share_of_total": {"en": "{share} of all {value}", "ko": "전체 {value}의 {share}"},
    "summary.accounts_due": {"en": "Accounts due an action", "ko": "조치 대상 고객"},
    "summary.moved": {"en": "Changed segment since last run", "ko": "지난 실행 이후 세그먼트 변경"},
    "summary.previous_run": {"en": "Compared with", "ko": "비교 대상"},
    "summary.previous_run_value": {
        "en": "run {run} · as of {as_of}",
        "ko": "실행 {run} · 기준일 {as_of}",
    },
    "attention.heading": {"en": "What needs attention", "ko": "지금 살펴볼 고객"},
    "attention.intro": {
        "en": "At risk: accounts in the {bands} health band, with {risks} churn risk, or in a segment "
        'named "at risk". Due an action: accounts in a segment with a playbook; when several apply, '
        "the first playbook in segmint.yaml counts. At-risk accounts come first, then by {value}.",
        "ko": '위험 고객: 건강 점수 {bands} 구간, 이탈 위험 {risks}, 또는 "at risk" 세그먼트에 속한 고객입니다. '
        "조치 대상: 플레이북이 연결된 세그먼트의 고객이며, 여러 개가 해당하면 segmint.yaml에서 먼저 나오는 "
        "플레이북을 따릅니다. 위험 고객을 먼저, 그다음 {value} 순으로 보여 줍니다.",
    },
    "attention.or": {"en": "or", "ko": "또는"},
    "attention.due_table": {"en": "Accounts due an action", "ko": "조치 대상 고객"},
    "attention.by_playbook": {"en": "Actions by segment", "ko": "세그먼트별 조치"},
    "attention.none_due": {
        "en": "No account is in a segment with a playbook: map segments to actions under "
        "`playbooks:` in segmint.yaml.",
        "ko": "플레이북이 연결된 세그먼트에 속한 고객이 없습니다. segmint.yaml의 `playbooks:`에 "
        "세그먼트별 조치를 지정하세요.",
    },
    "attention.no_playbooks": {
        "en": "Segments without a playbook: {segments}.",
        "ko": "플레이북이 없는 세그먼트: {segments}.",
    },
    "attention.at_risk_yes": {"en": "at risk", "ko": "위험"},
    "movement.heading": {"en": "Movements since the previous run", "ko": "지난 실행 이후 이동"},
    "movement.intro": {
        "en": "Compared with run {run} (as of {as_of}): customers present in both runs whose "
        "segment changed, per scheme; {new} customers are new in this run.",
        "ko": "실행 {run}(기준일 {as_of})과 비교해 두 실행 모두에 있는 고객 중 세그먼트가 바뀐 고객을 "
        "체계별로 셉니다. 이번 실행에 새로 들어온 고객은 {new}명입니다.",
    },
    "movement.first_run": {
        "en": "This is the first stored run: there is nothing to compare with yet.",
        "ko": "저장된 첫 실행이라 아직 비교할 대상이 없습니다.",
    },
    "movement.by_scheme": {"en": "Customers who changed segment", "ko": "세그먼트가 바뀐 고객"},
    "movement.flows": {"en": "Largest movements", "ko": "가장 큰 이동"},
    "health_change.heading": {"en": "Biggest changes in health", "ko": "건강 점수의 큰 변화"},
    "health_change.intro": {
        "en": "Change of the health score since the previous run: {down} accounts fell, {up} rose "
        "by more than the scorecard's tolerance.",
        "ko": "지난 실행 이후 건강 점수 변화: 허용 범위를 넘어 {down}개 고객이 하락, {up}개 고객이 "
        "상승했습니다.",
    },
    "health_change.drops": {"en": "Largest drops", "ko": "가장 크게 하락"},
    "health_change.rises": {"en": "Largest rises", "ko": "가장 크게 상승"},
    "run.playbook_none": {"en": "no playbook mapped", "ko": "연결된 플레이북 없음"},
    # -- action queue (segmint actions, the run report's queue section) ----------------------
    "actions.status.due": {"en": "due", "ko": "예정"},
    "actions.status.dropped": {"en": "dropped", "ko": "보류"},
    "actions.status.sent": {"en": "sent", "ko": "발송"},
    "actions.status.done": {"en": "done", "ko": "완료"},
    "actions.status.skipped": {"en": "skipped", "ko": "건너뜀"},
    "actions.status.cancelled": {"en": "cancelled", "ko": "취소"},
    "actions.reason.left_segment": {
        "en": "left segment {segment}",
        "ko": "세그먼트 {segment}에서 벗어남",
    },
    "actions.reason.left_tag": {
        "en": "no longer tagged {segment}",
        "ko": "더 이상 {segment} 태그 아님",
    },
    "actions.reason.back_in_segment": {
        "en": "back in segment {segment}",
        "ko": "세그먼트 {segment}로 돌아옴",
    },
    "actions.reason.score_back": {
        "en": "{score} back on the other side of {threshold} (now {value})",
        "ko": "{score}이(가) 기준 {threshold}의 반대편으로 돌아옴(현재 {value})",
    },
    "actions.reason.customer_gone": {
        "en": "customer no longer in the workspace",
        "ko": "고객이 더 이상 워크스페이스에 없음",
    },
    "actions.reason.playbook_removed": {
        "en": "playbook {playbook} removed from segmint.yaml",
        "ko": "플레이북 {playbook}이(가) segmint.yaml에서 삭제됨",
    },
    "actions.reason.over_capacity": {
        "en": "over capacity: {owner} has {capacity} h/week, {hours} h wanted",
        "ko": "처리 용량 초과: {owner} 주당 {capacity}시간, 필요 {hours}시간",
    },
    "actions.heading": {"en": "Action queue", "ko": "조치 대기열"},
    "actions.intro": {
        "en": "What the playbooks in segmint.yaml ask for as of {as_of}: {due} actions due, {dropped} "
        "dropped for lack of capacity, {cancelled} cancelled because the customer no longer "
        "qualifies, {handled} done, sent or skipped. An action done within its cadence is not due "
        "again; list and update them with `segmint actions`.",
        "ko": "{as_of} 기준 segmint.yaml 플레이북이 요구하는 조치: 예정 {due}건, 처리 용량 부족으로 보류 "
        "{dropped}건, 고객이 더 이상 해당하지 않아 취소 {cancelled}건, 완료·발송·건너뜀 {handled}건. "
        "주기 안에 처리한 조치는 다시 예정되지 않습니다. `segmint actions`로 조회하고 갱신하세요.",
    },
    "actions.by_playbook": {"en": "Open actions by playbook", "ko": "플레이북별 미처리 조치"},
    "actions.by_owner": {
        "en": "Load per owner (hours per week)",
        "ko": "담당자별 업무량(주당 시간)",
    },
    "actions.top_due": {"en": "Due first (highest priority)", "ko": "먼저 처리할 조치(우선순위순)"},
    "actions.backfill": {
        "en": "This run is for an earlier date than the action queue ({as_of}); the queue was "
        "left as it is.",
        "ko": "이 실행은 조치 대기열({as_of})보다 이전 날짜 기준이므로 대기열을 바꾸지 않았습니다.",
    },
    "actions.no_queue": {
        "en": "No action queue yet: add `playbooks:` to segmint.yaml and run `segmint run`.",
        "ko": "조치 대기열이 아직 없습니다. segmint.yaml에 `playbooks:`를 추가하고 `segmint run`을 실행하세요.",
    },
    "actions.none_match": {"en": "No action matches.", "ko": "조건에 맞는 조치가 없습니다."},
    "actions.header": {
        "en": "Action queue as of {as_of}: {due} due, {dropped} dropped, {cancelled} cancelled, "
        "{handled} handled",
        "ko": "조치 대기열({as_of} 기준): 예정 {due}, 보류 {dropped}, 취소 {cancelled}, 처리 {handled}",
    },
    "actions.over_capacity": {
        "en": "{owner} is over capacity: {wanted} h wanted, {capacity} h/week; dropped (lowest "
        "priority first): {dropped}",
        "ko": "{owner} 처리 용량 초과: 필요 {wanted}시간, 주당 {capacity}시간; 조치 {dropped}건 보류"
        "(낮은 우선순위부터)",
    },
    "actions.set_done": {
        "en": "{action_id}: {previous} → {status} (recorded {at})",
        "ko": "{action_id}: {previous} → {status} ({at} 기록)",
    },
    "actions.by_user": {"en": "by hand", "ko": "직접 입력"},
    "actions.by_run": {"en": "run {run}", "ko": "실행 {run}"},
    "actions.history_title": {"en": "History of {action_id}", "ko": "{action_id} 변경 이력"},
    "actions.shown": {
        "en": "{shown} of {total} actions shown",
        "ko": "조치 {total}건 중 {shown}건 표시",
    },
    "col.action_id": {"en": "Action ID", "ko": "조치 ID"},
    "col.priority": {"en": "Priority", "ko": "우선순위"},
    "col.due_at": {"en": "Due", "ko": "예정일"},
    "col.status": {"en": "Status", "ko": "상태"},
    "col.due": {"en": "Due", "ko": "예정"},
    "col.dropped": {"en": "Dropped", "ko": "보류"},
    "col.hours_due": {"en": "Hours due", "ko": "예정 시간"},
    "col.hours_wanted": {"en": "Hours wanted", "ko": "필요 시간"},
    "col.over_capacity": {"en": "Over capacity", "ko": "용량 초과"},
    "col.hours_per_week": {"en": "Hours per week", "ko": "주당 가용 시간"},
    "col.message": {"en": "Message", "ko": "메시지"},
    "actions.yes": {"en": "yes", "ko": "예"},
    "cli.col.action_id": {"en": "action id", "ko": "조치 ID"},
    "cli.col.customer_id": {"en": "customer", "ko": "고객"},
    "cli.col.playbook": {"en": "playbook", "ko": "플레이북"},
    "cli.col.action": {"en": "action", "ko": "조치"},
    "cli.col.channel": {"en": "channel", "ko": "채널"},
    "cli.col.owner": {"en": "owner", "ko": "담당"},
    "cli.col.priority": {"en": "prio", "ko": "우선"},
    "cli.col.due_at": {"en": "due", "ko": "예정일"},
    "cli.col.status": {"en": "status", "ko": "상태"},
    "cli.col.reason": {"en": "reason", "ko": "사유"},
    "cli.col.changed_at": {"en": "changed at", "ko": "변경 시각"},
    "cli.col.due": {"en": "due", "ko": "예정"},
    "cli.col.dropped": {"en": "dropped", "ko": "보류"},
    "cli.col.by": {"en": "by", "ko": "주체"},
    "cli.col.previous_status": {"en": "from", "ko": "이전"},
    "run.playbook_text": {
        "en": "{action} ({channel}, {owner})",
        "ko": "{action} ({channel}, {owner})",
    },
    "run.rows_shown": {
        "en": "Showing {shown} of {total} accounts.",
        "ko": "전체 {total}개 고객 중 {shown}개 표시.",
    },
    "run.health_histogram": {"en": "Health score distribution", "ko": "건강 점수 분포"},
    "run.health_axis": {"en": "health score (0–100)", "ko": "건강 점수 (0–100)"},
    "run.health_intro": {
        "en": "Bars are coloured by health band; the dashed lines mark where each band starts.",
        "ko": "막대 색은 건강 구간을, 점선은 각 구간이 시작하는 점수를 나타냅니다.",
    },
    "run.health_bands": {"en": "Customers per health band", "ko": "건강 구간별 고객 수"},
    "run.scheme_sizes": {"en": "Customers per segment", "ko": "세그먼트별 고객 수"},
    "run.icp_bands": {"en": "Customers per ICP band", "ko": "ICP 구간별 고객 수"},
    "run.icp_by_band": {"en": "Success rate per ICP band", "ko": "ICP 구간별 성공 비율"},
    "run.icp_criteria": {"en": "Each ICP criterion and success", "ko": "ICP 기준별 성공 비율"},
    "run.icp_drivers": {
        "en": "What the similarity model learned",
        "ko": "유사도 모델이 학습한 특징",
    },
    "run.icp_driver_evidence": {
        "en": "{level}: {seg}% successful vs {pop}% overall",
        "ko": "{level}: 성공 {seg}% (전체 {pop}%)",
    },
    "run.tier_counts": {"en": "Customers per tier", "ko": "등급별 고객 수"},
    "run.tier_capacity": {"en": "Capacity and value covered", "ko": "수용 인원과 가치 비중"},
    "run.churn_metrics": {"en": "Validation on the latest cut-off", "ko": "최근 기준일 검증 결과"},
    "run.churn_bands": {"en": "Customers per churn-risk band", "ko": "이탈 위험 구간별 고객 수"},
    "run.churn_label.subscription": {
        "en": "the subscription ends within {days} days",
        "ko": "{days}일 안에 구독 종료",
    },
    "run.churn_label.purchase": {
        "en": "no purchase within {days} days",
        "ko": "{days}일 안에 구매 없음",
    },
    "run.tags_intro": {
        "en": "Tags overlap: a customer can carry several.",
        "ko": "태그는 겹칠 수 있어 한 고객이 여러 태그를 가질 수 있습니다.",
    },
    "run.rfm_heading": {"en": "RFM segments and what to do", "ko": "RFM 세그먼트와 권장 조치"},
    "metric.rows": {"en": "Accounts validated", "ko": "검증 고객 수"},
    "metric.positive_rate": {"en": "Churn rate", "ko": "이탈률"},
    "metric.roc_auc": {"en": "ROC AUC (ranking quality)", "ko": "ROC AUC (순위 정확도)"},
    "metric.pr_auc": {"en": "PR AUC (precision on churners)", "ko": "PR AUC (이탈 고객 정밀도)"},
    "metric.brier": {"en": "Brier score (lower is better)", "ko": "브라이어 점수 (낮을수록 좋음)"},
    "metric.top_decile_lift": {
        "en": "Lift in the riskiest 10%",
        "ko": "위험 상위 10%의 리프트",
    },
    "metric.train_rows": {"en": "Training rows", "ko": "학습 행 수"},
    "metric.test_rows": {"en": "Validation rows", "ko": "검증 행 수"},
    # -- RFM playbooks: a default next step per named RFM segment (rfm.playbooks overrides) ----
    "rfm_playbook.Champions": {
        "en": "Reward them: early access, referral asks, no discounts needed",
        "ko": "보상하기: 신상품 선공개, 추천 요청 (할인 불필요)",
    },
    "rfm_playbook.Loyal Customers": {
        "en": "Upsell higher-value products; ask for reviews",
        "ko": "상위 상품 업셀, 리뷰 요청",
    },
    "rfm_playbook.Potential Loyalists": {
        "en": "Membership or loyalty offer; recommend related products",
        "ko": "멤버십·로열티 제안, 관련 상품 추천",
    },
    "rfm_playbook.New Customers": {
        "en": "Onboarding series; make the second purchase easy",
        "ko": "온보딩 안내, 두 번째 구매를 쉽게",
    },
    "rfm_playbook.Promising": {
        "en": "Build awareness: best sellers, a free-shipping trial",
        "ko": "인지도 높이기: 인기 상품, 무료 배송 체험",
    },
    "rfm_playbook.Need Attention": {
        "en": "Limited-time offer based on past purchases",
        "ko": "과거 구매 기반 기간 한정 혜택",
    },
    "rfm_playbook.About to Sleep": {
        "en": "Reactivate now: popular items and a modest discount",
        "ko": "지금 재활성화: 인기 상품과 소폭 할인",
    },
    "rfm_playbook.At Risk": {
        "en": "Personal win-back email with a relevant offer",
        "ko": "맞춤 복귀 이메일과 관련 혜택",
    },
    "rfm_playbook.Can't Lose Them": {
        "en": "Call or write personally; win them back before a competitor does",
        "ko": "직접 연락해 경쟁사보다 먼저 되찾기",
    },
    "rfm_playbook.Hibernating": {
        "en": "Low-cost reminder campaign; otherwise leave alone",
        "ko": "저비용 리마인드 캠페인, 반응 없으면 보류",
    },
    "rfm_playbook.Lost": {
        "en": "Exclude from paid campaigns; one last win-back try at most",
        "ko": "유료 캠페인 제외, 마지막 복귀 시도 한 번",
    },
    # -- table headers ------------------------------------------------------------------------
    "col.customer_id": {"en": "Customer ID", "ko": "고객 ID"},
    "col.occurred_at": {"en": "Date", "ko": "날짜"},
    "col.amount": {"en": "Amount", "ko": "금액"},
    "col.date": {"en": "Date", "ko": "날짜"},
    "col.name": {"en": "Name", "ko": "이름"},
    "col.mrr": {"en": "MRR", "ko": "MRR"},
    "col.revenue_365d": {"en": "Revenue (365 days)", "ko": "매출(365일)"},
    "col.total_amount": {"en": "Total amount", "ko": "총 구매 금액"},
    "col.scheme": {"en": "Scheme", "ko": "세분화 체계"},
    "col.from_segment": {"en": "From", "ko": "이전 세그먼트"},
    "col.to_segment": {"en": "To", "ko": "현재 세그먼트"},
    "col.moved": {"en": "Changed segment", "ko": "세그먼트 변경"},
    "col.compared": {"en": "In both runs", "ko": "두 실행 공통 고객"},
    "col.moved_share": {"en": "Share changed", "ko": "변경 비율"},
    "col.tag": {"en": "Tag", "ko": "태그"},
    "col.share_of": {"en": "Share of {value}", "ko": "{value} 비중"},
    "col.playbook": {"en": "Playbook", "ko": "플레이북"},
    "col.rfm_playbook": {"en": "What to do", "ko": "권장 조치"},
    "col.action": {"en": "Action", "ko": "조치"},
    "col.channel": {"en": "Channel", "ko": "채널"},
    "col.owner": {"en": "Owner", "ko": "담당"},
    "col.at_risk": {"en": "Risk", "ko": "위험"},
    "col.value": {"en": "Value", "ko": "값"},
    "col.metric": {"en": "Metric", "ko": "지표"},
    "col.health_score": {"en": "Health score", "ko": "건강 점수"},
    "col.health_before": {"en": "Previous health", "ko": "이전 건강 점수"},
    "col.health_change": {"en": "Change", "ko": "변화"},
    "col.health_band": {"en": "Health band", "ko": "건강 구간"},
    "col.churn_probability": {"en": "Churn probability", "ko": "이탈 확률"},
    "col.churn_risk": {"en": "Churn risk", "ko": "이탈 위험"},
    "col.icp_band": {"en": "ICP band", "ko": "ICP 구간"},
    "col.mean_icp_score": {"en": "Avg. ICP score", "ko": "평균 ICP 점수"},
    "col.mean_similarity": {"en": "Avg. similarity", "ko": "평균 유사도"},
    "col.success_rate": {"en": "Successful", "ko": "성공 비율"},
    "col.criterion": {"en": "Criterion", "ko": "기준"},
    "col.matched": {"en": "Accounts matching", "ko": "충족 고객 수"},
    "col.success_rate_matched": {"en": "Successful if matching", "ko": "충족 시 성공 비율"},
    "col.success_rate_unmatched": {"en": "Successful otherwise", "ko": "미충족 시 성공 비율"},
    "col.lift": {"en": "Lift", "ko": "리프트"},
    "col.attribute": {"en": "Attribute", "ko": "속성"},
    "col.importance": {"en": "Importance", "ko": "중요도"},
    "col.evidence": {"en": "Evidence", "ko": "근거"},
    "col.tier": {"en": "Tier", "ko": "등급"},
    "col.tier_name": {"en": "Service model", "ko": "서비스 방식"},
    "col.capacity": {"en": "Capacity", "ko": "수용 인원"},
    "col.accounts": {"en": "Accounts", "ko": "고객 수"},
    "col.capacity_used": {"en": "Capacity used", "ko": "수용률"},
    "col.value_sum": {"en": "Tier value", "ko": "등급 가치 합계"},
    "col.value_share": {"en": "Share of tier value", "ko": "가치 비중"},
    "col.cutoff_value": {"en": "Lowest value in tier", "ko": "등급 내 최저 가치"},
    "col.value_columns": {"en": "Value covered per input", "ko": "입력별 가치 비중"},
    "col.traits": {"en": "What sets it apart", "ko": "주요 특징"},
    # -- notes --------------------------------------------------------------------------------
    "note.clv": {
        "en": "CLV not computed (see the detail).",
        "ko": "CLV를 계산하지 않았습니다 (상세 내용 참고).",
    },
    "note.contractual_clv": {
        "en": "Contractual CLV not computed (see the detail).",
        "ko": "구독 기반 CLV를 계산하지 않았습니다 (상세 내용 참고).",
    },
    "note.next_plan": {
        "en": "Next-plan propensity not computed (see the detail).",
        "ko": "다음 요금제 성향을 계산하지 않았습니다 (상세 내용 참고).",
    },
    "note.churn": {
        "en": "The churn model was not trained (see the detail).",
        "ko": "이탈 예측 모델을 학습하지 않았습니다 (상세 내용 참고).",
    },
    "note.scheme_skipped": {
        "en": "Scheme {scheme} skipped: a score it needs was not computed in this run.",
        "ko": "세분화 체계 {scheme} 건너뜀: 필요한 점수가 이번 실행에서 계산되지 않았습니다.",
    },
    "note.other": {
        "en": "Note from the engine (see the detail).",
        "ko": "엔진 메시지 (상세 내용 참고).",
    },
    "note.detail": {"en": "Technical detail (English)", "ko": "기술 상세 (영문)"},
    "reason.missing": {"en": "missing {column}", "ko": "{column} 없음"},
    "reason.unparseable": {
        "en": "unparseable {column} {value}",
        "ko": "{column} 해석 불가 {value}",
    },
    "reason.field_count": {
        "en": "expected {expected} fields, found {found}",
        "ko": "필드 {expected}개가 필요하지만 {found}개 있음",
    },
    # -- feature names in persona traits (Korean; English keeps the column's own words) -----
    "feature.recency_days": {"en": "days since the last order", "ko": "마지막 주문 후 경과일"},
    "feature.frequency": {"en": "orders", "ko": "주문 수"},
    "feature.monetary": {"en": "amount per order", "ko": "주문당 금액"},
    "feature.total_amount": {"en": "total amount", "ko": "총 구매 금액"},
    "feature.orders_30d": {"en": "orders (30 days)", "ko": "주문 수(30일)"},
    "feature.orders_90d": {"en": "orders (90 days)", "ko": "주문 수(90일)"},
    "feature.orders_365d": {"en": "orders (365 days)", "ko": "주문 수(365일)"},
    "feature.revenue_30d": {"en": "revenue (30 days)", "ko": "매출(30일)"},
    "feature.revenue_90d": {"en": "revenue (90 days)", "ko": "매출(90일)"},
    "feature.avg_order_value": {"en": "average order value", "ko": "평균 주문 금액"},
    "feature.mean_interpurchase_days": {"en": "days between orders", "ko": "평균 재구매 간격(일)"},
    "feature.days_since_first_order": {
        "en": "days since the first order",
        "ko": "첫 주문 후 경과일",
    },
    "feature.refunds_count": {"en": "refunds", "ko": "환불 수"},
    "feature.mrr": {"en": "MRR", "ko": "MRR"},
    "feature.mrr_change_90d": {"en": "MRR change (90 days)", "ko": "MRR 변화(90일)"},
    "feature.plan": {"en": "plan", "ko": "요금제"},
    "feature.customer_plan": {"en": "plan (CRM)", "ko": "요금제(CRM)"},
    "feature.seats": {"en": "seats", "ko": "좌석 수"},
    "feature.subscription_tenure_months": {"en": "months subscribed", "ko": "구독 개월 수"},
    "feature.is_active_subscriber": {"en": "active subscriber", "ko": "활성 구독자"},
    "feature.expansion_90d": {"en": "expansion (90 days)", "ko": "확장(90일)"},
    "feature.contraction_90d": {"en": "contraction (90 days)", "ko": "축소(90일)"},
    "feature.churned": {"en": "churned", "ko": "이탈함"},
    "feature.active_days_30d": {"en": "active days (30 days)", "ko": "활동일 수(30일)"},
    "feature.events_30d": {"en": "events (30 days)", "ko": "이벤트 수(30일)"},
    "feature.usage_trend": {"en": "usage trend", "ko": "사용 추세"},
    "feature.features_adopted": {"en": "features adopted", "ko": "사용 기능 수"},
    "feature.days_since_last_activity": {
        "en": "days since the last activity",
        "ko": "마지막 활동 후 경과일",
    },
    "feature.tickets_90d": {"en": "tickets (90 days)", "ko": "문의 수(90일)"},
    "feature.open_tickets": {"en": "open tickets", "ko": "미해결 문의 수"},
    "feature.high_priority_tickets_90d": {
        "en": "high-priority tickets (90 days)",
        "ko": "긴급 문의 수(90일)",
    },
    "feature.csat_mean": {"en": "average CSAT", "ko": "평균 CSAT"},
    "feature.tenure_days": {"en": "days as a customer", "ko": "고객 기간(일)"},
    "feature.churn_probability": {"en": "churn probability", "ko": "이탈 확률"},
    "feature.contractual_clv": {"en": "contractual CLV", "ko": "구독 기반 CLV"},
    "feature.expected_lifetime_months": {
        "en": "expected lifetime (months)",
        "ko": "예상 잔존 기간(개월)",
    },
    "feature.next_plan_probability": {"en": "next-plan probability", "ko": "다음 요금제 확률"},
    "feature.upgrade_propensity": {"en": "upgrade propensity", "ko": "업그레이드 성향"},
    "feature.next_plan": {"en": "next plan", "ko": "다음 요금제"},
    "feature.r_score": {"en": "R score", "ko": "R 점수"},
    "feature.f_score": {"en": "F score", "ko": "F 점수"},
    "feature.m_score": {"en": "M score", "ko": "M 점수"},
    "feature.clv_365d": {"en": "CLV (365 days)", "ko": "CLV(365일)"},
    "feature.p_alive": {"en": "P(alive)", "ko": "활성 확률"},
    "feature.icp_similarity": {"en": "ICP similarity", "ko": "ICP 유사도"},
    "feature.icp_score": {"en": "ICP score", "ko": "ICP 점수"},
    "feature.employees": {"en": "employees", "ko": "직원 수"},
    "feature.annual_revenue": {"en": "annual revenue", "ko": "연 매출"},
    "feature.industry": {"en": "industry", "ko": "업종"},
    "feature.country": {"en": "country", "ko": "국가"},
    "feature.region": {"en": "region", "ko": "지역"},
    "feature.email_consent": {"en": "email consent", "ko": "이메일 수신 동의"},
    "feature.churn_risk": {"en": "churn risk", "ko": "이탈 위험"},
    "feature.rfm_segment": {"en": "RFM segment", "ko": "RFM 세그먼트"},
    "feature.tier_value": {"en": "tier value", "ko": "등급 가치"},
    "feature.tier_rank": {"en": "tier rank", "ko": "등급 순위"},
    # -- segment names of the built-in scheme templates and score bands ----------------------
    "segment.new": {"en": "new", "ko": "신규"},
    "segment.onboarding": {"en": "onboarding", "ko": "온보딩"},
    "segment.activated": {"en": "activated", "ko": "활성화"},
    "segment.established": {"en": "established", "ko": "안착"},
    "segment.at risk": {"en": "at risk", "ko": "위험"},
    "segment.dormant": {"en": "dormant", "ko": "휴면"},
    "segment.churned": {"en": "churned", "ko": "이탈"},
    "segment.red": {"en": "red", "ko": "빨강"},
    "segment.yellow": {"en": "yellow", "ko": "노랑"},
    "segment.green": {"en": "green", "ko": "초록"},
    "segment.high": {"en": "high", "ko": "높음"},
    "segment.medium": {"en": "medium", "ko": "보통"},
    "segment.low": {"en": "low", "ko": "낮음"},
    "segment.no revenue": {"en": "no revenue", "ko": "매출 없음"},
    "segment.unscored": {"en": "unscored", "ko": "점수 없음"},
    # -- CLI ----------------------------------------------------------------------------------
    "cli.wrote": {"en": "Wrote {path}", "ko": "{path} 저장됨"},
    "cli.rows_summary": {
        "en": "{rows_read} rows read, {rows_loaded} loaded, {rows_rejected} rejected",
        "ko": "{rows_read}행 읽음, {rows_loaded}행 적재, {rows_rejected}행 거부",
    },
    "cli.customers_scored": {
        "en": "{customers} customers scored as of {as_of}",
        "ko": "기준일 {as_of}, 고객 {customers}명 점수 산출",
    },
    "cli.demo_data_written": {
        "en": "Synthetic SaaS data written to {path}",
        "ko": "합성 SaaS 데이터를 {path}에 저장했습니다",
    },
    "cli.error": {"en": "error:", "ko": "오류:"},
    "cli.note": {"en": "note:", "ko": "참고:"},
    "cli.bad_lang": {
        "en": "--lang: unknown language {lang!r}; allowed: {allowed}",
        "ko": "--lang: 알 수 없는 언어 {lang!r}; 사용 가능: {allowed}",
    },
    "cli.file_not_found": {"en": "file not found: {path}", "ko": "파일을 찾을 수 없습니다: {path}"},
    # progress: scopes and stages
    "cli.scope.ingest": {"en": "ingest", "ko": "적재"},
    "cli.scope.run": {"en": "run", "ko": "실행"},
    "cli.scope.analyze": {"en": "analyze", "ko": "분석"},
    "cli.scope.demo": {"en": "demo", "ko": "데모"},
    "cli.scope.evaluate_clv": {"en": "evaluate clv", "ko": "CLV 평가"},
    "cli.stage.fit": {"en": "fitting the models", "ko": "모델 적합"},
    "cli.stage.read": {"en": "reading", "ko": "읽는 중"},
    "cli.stage.spark": {"en": "starting Spark", "ko": "Spark 시작"},
    "cli.stage.stitch": {"en": "stitching identities", "ko": "고객 식별자 통합"},
    "cli.stage.features": {"en": "features", "ko": "특성 계산"},
    "cli.stage.rfm": {"en": "RFM scores", "ko": "RFM 점수"},
    "cli.stage.clv": {"en": "CLV and P(alive)", "ko": "CLV와 활성 확률"},
    "cli.stage.contractual_clv": {
        "en": "contractual CLV and next-plan propensity",
        "ko": "구독 CLV와 다음 요금제 성향",
    },
    "cli.stage.icp": {"en": "ICP fit", "ko": "ICP 적합도"},
    "cli.stage.health": {"en": "health score", "ko": "건강 점수"},
    "cli.stage.churn": {"en": "churn model", "ko": "이탈 예측 모델"},
    "cli.stage.tiers": {"en": "service tiers", "ko": "서비스 등급"},
    "cli.stage.timing": {"en": "next-purchase forecasts", "ko": "다음 구매 예측"},
    "cli.stage.segments": {"en": "schemes and tags", "ko": "세분화 체계와 태그"},
    "cli.stage.kpis": {"en": "KPIs per segment", "ko": "세그먼트별 KPI"},
    "cli.stage.history": {
        "en": "segment changes, validity and goals",
        "ko": "세그먼트 변경, 타당성, 목표",
    },
    "cli.stage.experiments": {"en": "experiments (A/B tests)", "ko": "실험 (A/B 테스트)"},
    "cli.stage.actions": {"en": "action queue", "ko": "조치 대기열"},
    "cli.stage.discovery": {"en": "clusters", "ko": "군집 탐색"},
    "cli.stage.understand": {
        "en": "preferences, price and timing",
        "ko": "선호, 가격 민감도, 구매 시기",
    },
    "cli.stage.engagement": {
        "en": "channels and early behaviours",
        "ko": "채널과 초기 행동",
    },
    "cli.stage.report": {"en": "writing the report", "ko": "보고서 작성"},
    "cli.stage.write": {"en": "writing the outputs", "ko": "결과 파일 저장"},
    "cli.stage.generate": {"en": "generating the SaaS data set", "ko": "SaaS 데이터 생성"},
    "cli.stage.ingest": {"en": "loading the sources", "ko": "원본 적재"},
    "cli.stage.run": {"en": "segmenting", "ko": "세분화"},
    "cli.stage.analyze": {"en": "analysing the commerce export", "ko": "커머스 내보내기 분석"},
    "cli.stage.shop": {"en": "building the shop workspace", "ko": "상점 워크스페이스 구축"},
    "cli.count.rows": {"en": "{count} rows", "ko": "{count}행"},
    "cli.count.customers": {"en": "{count} customers", "ko": "고객 {count}명"},
    "cli.count.megabytes": {"en": "{count} MB", "ko": "{count}MB"},
    # ingest
    "cli.ingest.title": {"en": "ingest", "ko": "데이터 적재"},
    "cli.col.source": {"en": "source", "ko": "원본"},
    "cli.col.table": {"en": "table", "ko": "테이블"},
    "cli.col.rows_read": {"en": "rows read", "ko": "읽은 행"},
    "cli.col.loaded": {"en": "loaded", "ko": "적재"},
    "cli.col.rejected": {"en": "rejected", "ko": "거부"},
    "cli.col.note": {"en": "note", "ko": "비고"},
    "cli.ingest.skipped": {"en": "unchanged, skipped", "ko": "변경 없음, 건너뜀"},
    "cli.quality": {"en": "quality", "ko": "품질"},
    "cli.quality.rejected": {"en": "{count} rejected: {reason}", "ko": "{count}행 거부: {reason}"},
    "cli.quality.mostly_empty": {"en": "mostly empty: {columns}", "ko": "결측 많음: {columns}"},
    "cli.quality.duplicate_rows": {"en": "{count} duplicate rows", "ko": "중복 행 {count}개"},
    "cli.quality.duplicate_values": {
        "en": "{count} duplicate {column} values",
        "ko": "{column} 중복 값 {count}개",
    },
    "cli.quality.future": {"en": "{count} future {column}", "ko": "미래 날짜 {column} {count}개"},
    "cli.quality.negative": {"en": "{count} negative {column}", "ko": "음수 {column} {count}개"},
    "cli.ingest.totals": {
        "en": "rows read = loaded + rejected: {read} = {loaded} + {rejected} · {customers} customers "
        "· rejected rows: {path}",
        "ko": "읽은 행 = 적재 + 거부: {read} = {loaded} + {rejected} · 고객 {customers}명 "
        "· 거부된 행: {path}",
    },
    # run
    "cli.run.header": {
        "en": "run {run} as of {as_of}: {customers} customers",
        "ko": "실행 {run} · 기준일 {as_of}: 고객 {customers}명",
    },
    "cli.run.segments_title": {"en": "segments", "ko": "세그먼트"},
    "cli.col.scheme": {"en": "scheme", "ko": "세분화 체계"},
    "cli.col.segment": {"en": "segment", "ko": "세그먼트"},
    "cli.col.customers": {"en": "customers", "ko": "고객 수"},
    "cli.col.share": {"en": "share", "ko": "비중"},
    "cli.col.revenue": {"en": "revenue", "ko": "매출"},
    "cli.col.revenue_share": {"en": "revenue share", "ko": "매출 비중"},
    "cli.report_path": {"en": "report: {path}", "ko": "보고서: {path}"},
    "cli.tag_scheme": {"en": "tag:{name}", "ko": "태그:{name}"},
    # notes made by the services
    "note.spark_ignored_columns": {
        "en": "not read on the spark engine (descriptive columns): {columns}",
        "ko": "spark 엔진에서 읽지 않은 설명용 열: {columns}",
    },
    "note.clv_not_computed": {
        "en": "CLV not computed: {reason}",
        "ko": "CLV를 계산하지 않았습니다: {reason}",
    },
    "note.clv_nbd": {
        "en": "CLV forecast from the NBD model (purchase rates without drop-out): no drop-out is "
        "detectable in this data, so P(alive) is not identifiable and left empty.",
        "ko": "이탈이 관측되지 않아 CLV는 NBD 모델(이탈 없는 구매율)로 예측했습니다. "
        "활성 확률(P(alive))은 식별할 수 없어 비워 두었습니다.",
    },
    "note.clv_zero": {
        "en": "{count} customers have net spend <= 0 (refunds cancel their purchases): their CLV is 0.",
        "ko": "순지출이 0 이하인 고객 {count}명(환불이 구매를 상쇄)은 CLV를 0으로 두었습니다.",
    },
    "note.contractual_clv_not_computed": {
        "en": "contractual CLV not computed: {reason}",
        "ko": "구독 CLV를 계산하지 않았습니다: {reason}",
    },
    "note.next_plan_not_computed": {
        "en": "next-plan propensity not computed: {reason}",
        "ko": "다음 요금제 성향을 계산하지 않았습니다: {reason}",
    },
    "note.churn_not_trained": {
        "en": "churn model not trained: {reason}",
        "ko": "이탈 예측 모델을 학습하지 않았습니다: {reason}",
    },
    "note.scheme_skipped_scores": {
        "en": "scheme {scheme!r} skipped: {scores} not computed in this run",
        "ko": "세분화 체계 {scheme!r} 건너뜀: 이번 실행에서 {scores}을(를) 계산하지 않았습니다",
    },
    # customer
    "cli.customer.header": {"en": "customer {id}", "ko": "고객 {id}"},
    "cli.customer.as_of": {"en": "(as of {as_of})", "ko": "(기준일 {as_of})"},
    "cli.customer.identity_title": {
        "en": "source records merged into this customer",
        "ko": "이 고객으로 통합된 원본 레코드",
    },
    "cli.col.namespace": {"en": "namespace", "ko": "원본 구분"},
    "cli.col.source_id": {"en": "source id", "ko": "원본 ID"},
    "cli.col.linked_by": {"en": "linked by", "ko": "연결 기준"},
    "cli.linked_by.own id": {"en": "own id", "ko": "자체 ID"},
    "cli.linked_by.same id": {"en": "same id", "ko": "같은 ID"},
    "cli.customer.rows": {"en": "rows", "ko": "행 수"},
    "cli.customer.rows_item": {
        "en": "{table} from {source}: {rows}",
        "ko": "{table} ({source}): {rows}",
    },
    "cli.customer.segments_title": {"en": "segments (latest run)", "ko": "세그먼트 (최근 실행)"},
    "cli.col.why": {"en": "why", "ko": "근거"},
    "cli.customer.values_title": {"en": "features and scores", "ko": "특성과 점수"},
    "cli.col.name": {"en": "name", "ko": "이름"},
    "cli.col.value": {"en": "value", "ko": "값"},
    "cli.customer.no_run": {
        "en": "no run stored yet: run `segmint run` for segments and scores",
        "ko": "저장된 실행이 없습니다: 세그먼트와 점수를 보려면 `segmint run`을 실행하세요",
    },
    # demo
    "cli.demo.saas_rule": {
        "en": "SaaS workspace (synthetic, seeded)",
        "ko": "SaaS 워크스페이스 (합성 데이터, 시드 고정)",
    },
    "cli.demo.commerce_rule": {
        "en": "Commerce export (UCI Online Retail II sample)",
        "ko": "커머스 내보내기 (UCI Online Retail II 표본)",
    },
    "cli.demo.shop_rule": {
        "en": "Shop workspace (synthetic, seeded: categories, discounts, channels, touches)",
        "ko": "상점 워크스페이스 (합성 데이터, 시드 고정: 카테고리, 할인, 채널, 마케팅 접촉)",
    },
    "cli.demo.saas_report": {"en": "SaaS report:     {path}", "ko": "SaaS 보고서:   {path}"},
    "cli.demo.commerce_report": {
        "en": "commerce report: {path}",
        "ko": "커머스 보고서: {path}",
    },
    "cli.demo.shop_report": {"en": "shop report:     {path}", "ko": "상점 보고서:   {path}"},
    # analyze
    "cli.analyze.summary": {
        "en": "{read} rows read = {loaded} loaded + {rejected} rejected · {customers} customers",
        "ko": "읽은 행 {read} = 적재 {loaded} + 거부 {rejected} · 고객 {customers}명",
    },
    "cli.analyze.period": {"en": "{first} .. {last}", "ko": "{first} ~ {last}"},
    "cli.analyze.as_of": {"en": "as of {as_of}", "ko": "기준일 {as_of}"},
    "cli.analyze.rfm_title": {"en": "RFM segments", "ko": "RFM 세그먼트"},
    "cli.file.customers": {"en": "customers", "ko": "고객 파일"},
    "cli.file.rejected": {"en": "rejected", "ko": "거부 행"},
    "cli.file.summary": {"en": "summary", "ko": "요약"},
    "cli.file.report": {"en": "report", "ko": "보고서"},
    "cli.file.kpis": {"en": "KPIs", "ko": "세그먼트별 KPI"},
    "cli.file.cohorts": {"en": "cohorts", "ko": "코호트"},
    "cli.shown_run": {
        "en": "showing run {run} (as of {as_of})",
        "ko": "실행 {run} 표시 (기준일 {as_of})",
    },
    "cli.clustering_run": {
        "en": "clustering run {run} (as of {as_of})",
        "ko": "실행 {run} 군집화 (기준일 {as_of})",
    },
    # personas
    "cli.personas.scheme": {"en": "scheme {name}", "ko": "세분화 체계 {name}"},
    "cli.personas.customers": {
        "en": "Customers: {size} ({share} of customers)",
        "ko": "고객: {size}명 (전체 고객의 {share})",
    },
    "cli.personas.revenue": {
        "en": "Revenue: {revenue} ({share} of revenue)",
        "ko": "매출: {revenue} (전체 매출의 {share})",
    },
    "cli.personas.traits": {"en": "What sets it apart", "ko": "주요 특징"},
    "cli.personas.typical": {"en": "Typical values (median)", "ko": "대표값 (중앙값)"},
    "cli.personas.playbook": {"en": "Playbook", "ko": "플레이북"},
    "cli.playbook.action": {"en": "action", "ko": "조치"},
    "cli.playbook.channel": {"en": "channel", "ko": "채널"},
    "cli.playbook.owner": {"en": "owner", "ko": "담당"},
    "cli.personas.no_playbook": {"en": "no playbook mapped", "ko": "연결된 플레이북 없음"},
    # validate-segments
    "cli.validate.title": {
        "en": "scheme {scheme} (run {run})",
        "ko": "세분화 체계 {scheme} (실행 {run})",
    },
    "cli.col.size": {"en": "size", "ko": "크기"},
    "cli.criterion.distinct": {"en": "distinct", "ko": "차별성"},
    "cli.criterion.measurable": {"en": "measurable", "ko": "측정 가능성"},
    "cli.criterion.accessible": {"en": "accessible", "ko": "접근 가능성"},
    "cli.criterion.substantial": {"en": "substantial", "ko": "규모"},
    "cli.criterion.actionable": {"en": "actionable", "ko": "실행 가능성"},
    "cli.status.pass": {"en": "pass", "ko": "통과"},
    "cli.status.warn": {"en": "warn", "ko": "주의"},
    "cli.status.fail": {"en": "fail", "ko": "실패"},
    "cli.validate.legend": {
        "en": "pass / warn / fail per criterion; the number is the measure behind it. "
        "--json gives the details.",
        "ko": "기준별 통과 / 주의 / 실패이며, 숫자는 판정 근거가 된 측정값입니다. "
        "자세한 내용은 --json으로 볼 수 있습니다.",
    },
    # discover
    # Cluster traits and labels (segments.clustering.labels.trait_text).
    "cluster.trait.high": {"en": "High {name}", "ko": "{name} 높음"},
    "cluster.trait.low": {"en": "Low {name}", "ko": "{name} 낮음"},
    "cluster.trait.mostly": {"en": "mostly {name}", "ko": "대부분 {name}"},
    "cluster.trait.few": {"en": "few {name}", "ko": "{name} 드묾"},
    "cluster.trait.mostly_without": {"en": "mostly without {name}", "ko": "대부분 {name} 없음"},
    "cluster.trait.few_without": {"en": "few without {name}", "ko": "{name} 없는 고객 드묾"},
    "cluster.trait.mostly_level": {
        "en": "mostly {level} ({name})",
        "ko": "대부분 {level} ({name})",
    },
    "cluster.trait.more_level": {"en": "more {level} ({name})", "ko": "{level} 많음 ({name})"},
    "cluster.trait.few_level": {"en": "few {level} ({name})", "ko": "{level} 드묾 ({name})"},
    "cluster.typical": {"en": "Typical customers", "ko": "일반 고객"},
    # Churn drivers (report.churn_drivers.churn_driver_text); English is the stored text.
    "driver.raises": {
        "en": "{description}: raises risk by {pts} pts",
        "ko": "{description}: 이탈 위험 {pts}%p 높임",
    },
    "driver.lowers": {
        "en": "{description}: lowers risk by {pts} pts",
        "ko": "{description}: 이탈 위험 {pts}%p 낮춤",
    },
    "driver.vs_typical": {
        "en": "{name} {value} vs typical {typical}",
        "ko": "{name} {value} (보통 {typical})",
    },
    "driver.times_typical": {
        "en": "{name} {value} vs typical {typical} ({ratio}× typical)",
        "ko": "{name} {value} (보통 {typical}의 {ratio}배)",
    },
    "driver.higher": {
        "en": "{name} {value} vs typical {typical} ({pct}% higher)",
        "ko": "{name} {value} (보통 {typical}보다 {pct}% 높음)",
    },
    "driver.lower": {
        "en": "{name} {value} vs typical {typical} ({pct}% lower)",
        "ko": "{name} {value} (보통 {typical}보다 {pct}% 낮음)",
    },
    "driver.level": {
        "en": "{name} is '{value}' (most common: '{typical}')",
        "ko": "{name} '{value}' (가장 흔한 값 '{typical}')",
    },
    "driver.missing": {
        "en": "{name} is missing (typical {typical})",
        "ko": "{name} 값 없음 (보통 {typical})",
    },
    # segmint init / validate / health backtest
    "cli.init.created": {
        "en": "created {path} and sample data in {data}",
        "ko": "{path} 파일과 예시 데이터({data})를 만들었습니다",
    },
    "cli.init.next": {"en": "next: {command}", "ko": "다음 단계: {command}"},
    "cli.config_ok": {
        "en": "{path}: {sources} sources, {schemes} schemes, {tags} tags — all valid",
        "ko": "{path}: 원본 {sources}개, 세분화 체계 {schemes}개, 태그 {tags}개 — 모두 올바릅니다",
    },
    "validate.file_not_found": {
        "en": "sources.{source}.path: file not found: {path}",
        "ko": "sources.{source}.path: 파일이 없습니다: {path}",
    },
    "validate.playbook_unknown_scheme": {
        "en": "{key}: unknown scheme '{scheme}'; known: {known}",
        "ko": "{key}: 알 수 없는 세분화 체계 '{scheme}'; 있는 것: {known}",
    },
    "validate.playbook_unknown_tag": {
        "en": "{key}: unknown tag '{tag}'; known: {known}",
        "ko": "{key}: 알 수 없는 태그 '{tag}'; 있는 것: {known}",
    },
    "validate.playbook_unknown_segment": {
        "en": "{key}: no scheme has a segment called '{segment}'",
        "ko": "{key}: '{segment}'(이)라는 세그먼트가 있는 세분화 체계가 없습니다",
    },
    "validate.playbook_unknown_score": {
        "en": "{key}: unknown score or feature '{score}'",
        "ko": "{key}: 알 수 없는 점수 또는 특성 '{score}'",
    },
    "validate.playbook_unknown_owner_column": {
        "en": "{key}: unknown customer field '{column}'",
        "ko": "{key}: 알 수 없는 고객 필드 '{column}'",
    },
    "validate.playbook_unknown_fields": {
        "en": "{key}: unknown customer field(s) {fields} (a template may use features, scores, "
        "customer columns, {context})",
        "ko": "{key}: 알 수 없는 고객 필드 {fields} (템플릿에는 특성, 점수, 고객 컬럼과 {context}만 쓸 수 있습니다)",
    },
    "validate.unknown_health_feature": {
        "en": "health.measures: unknown feature '{feature}'",
        "ko": "health.measures: 알 수 없는 특성 '{feature}'",
    },
    "cli.backtest.window": {
        "en": "health scored as of {scored}, churn observed until {until}",
        "ko": "건강 점수 기준일 {scored}, 이탈 관찰 종료일 {until}",
    },
    "cli.backtest.bands_title": {"en": "churn rate by health band", "ko": "건강 등급별 이탈률"},
    "cli.backtest.auc_retained": {"en": "AUC (retained)", "ko": "AUC(유지 고객)"},
    "cli.backtest.auc_churn": {"en": "AUC (churn)", "ko": "AUC(이탈)"},
    "cli.backtest.customers": {"en": "customers", "ko": "고객 수"},
    "cli.backtest.churned": {"en": "churned", "ko": "이탈 고객 수"},
    "cli.backtest.churn_rate": {"en": "churn rate", "ko": "이탈률"},
    "cli.backtest.band": {"en": "band", "ko": "등급"},
    "cli.backtest.mean_score": {"en": "mean score", "ko": "평균 점수"},
    "cli.discover.choosing_k": {"en": "choosing k ({method})", "ko": "k 선택 ({method})"},
    "cli.metric.silhouette": {"en": "silhouette", "ko": "실루엣"},
    "cli.metric.calinski_harabasz": {"en": "CH", "ko": "칼린스키-하라바츠"},
    "cli.metric.davies_bouldin": {"en": "DB", "ko": "데이비스-볼딘"},
    "cli.metric.stability": {"en": "stability", "ko": "안정성"},
    "cli.metric.mean_rank": {"en": "mean rank", "ko": "평균 순위"},
    # -- segmint evaluate clv | churn ---------------------------------------------------------------
    "cli.eval.clv.header": {
        "en": "{file}: {customers} customers · calibration to {cal} · holdout {weeks} weeks to "
        "{hold} · {rejected} rows rejected, {negative} negative amounts left out",
        "ko": "{file}: 고객 {customers}명 · 보정 기간 {cal}까지 · 검증 기간 {weeks}주, {hold}까지 · "
        "거부된 행 {rejected}개, 음수 금액 {negative}개 제외",
    },
    "cli.eval.clv.title": {
        "en": "Holdout purchases per customer (one per customer-day; {total} in total)",
        "ko": "검증 기간 고객별 구매 횟수 (고객·일 단위 1회; 합계 {total})",
    },
    "cli.eval.col.model": {"en": "model", "ko": "모형"},
    "cli.eval.col.err_pct": {"en": "err %", "ko": "합계 오차 %"},
    "cli.eval.col.mae_median": {"en": "MAE med", "ko": "중앙값 MAE"},
    "cli.eval.col.deviance": {"en": "dev", "ko": "편차"},
    "cli.eval.col.rank_r": {"en": "rank r", "ko": "순위 상관"},
    "cli.eval.col.in_80": {"en": "in 80%", "ko": "80% 구간 적중"},
    "cli.eval.failed": {"en": "failed", "ko": "실패"},
    "cli.eval.clv.nbd_limit": {
        "en": "{name}: no drop-out detected, so its forecast is the NBD limit "
        "(P(alive) not identifiable)",
        "ko": "{name}: 이탈이 감지되지 않아 NBD 한계(이탈 없는 구매율)로 예측합니다 "
        "(P(alive)는 식별할 수 없음)",
    },
    "cli.eval.clv.gamma_gamma": {
        "en": "Gamma-Gamma ({params}): mean spend per purchase predicted {predicted} vs actual "
        "{actual} ({error}%), MAE {mae}, r {r} over {customers} customers",
        "ko": "Gamma-Gamma ({params}): 구매당 평균 금액 예측 {predicted}, 실제 {actual} "
        "({error}%), MAE {mae}, r {r} (고객 {customers}명)",
    },
    "cli.eval.clv.season_short": {
        "en": "the forecast ignores seasonality: {weeks} weeks of history before the calibration "
        "end, a seasonal factor needs {needed}",
        "ko": "예측에 계절성을 반영하지 않았습니다: 보정 종료 전 이력이 {weeks}주이며, 계절 계수에는 "
        "{needed}주가 필요합니다",
    },
    "cli.eval.clv.season_empty": {
        "en": "the forecast ignores seasonality: no purchases a year earlier",
        "ko": "예측에 계절성을 반영하지 않았습니다: 1년 전 같은 기간에 구매가 없습니다",
    },
    "cli.eval.clv.season_factor": {
        "en": "seasonal factor {factor} from the same weeks a year earlier ({backtest}), applied "
        "to every model",
        "ko": "1년 전 같은 주({backtest})에서 구한 계절 계수 {factor}를 모든 모형에 적용했습니다",
    },
    "cli.eval.clv.best": {
        "en": "best (lowest RMSE): {best}",
        "ko": "최적 모형 (RMSE 최소): {best}",
    },
    "cli.eval.churn.title": {
        "en": "churn models on {file}: {rows} rows, positive rate {rate}, {folds}-fold CV",
        "ko": "{file}의 이탈 모형: {rows}행, 이탈 비율 {rate}, {folds}겹 교차 검증",
    },
    "cli.eval.col.calibrated": {"en": "calibrated", "ko": "보정 후"},
    "cli.eval.col.lift": {"en": "top-decile lift", "ko": "상위 10% 향상도"},
    "cli.eval.best_mark": {"en": "(best)", "ko": "(최적)"},
    "cli.eval.churn.auc_note": {
        "en": "ROC AUC ranks with the uncalibrated scores; 'calibrated' is the AUC of the "
        "calibrated probabilities that PR AUC, Brier and lift use",
        "ko": "ROC AUC는 보정 전 점수로 순위를 매깁니다. '보정 후'는 PR AUC, Brier, 향상도가 "
        "쓰는 보정된 확률의 AUC입니다",
    },
    "cli.eval.churn.coded": {
        "en": "many-level categoricals given to gradient boosting as codes: {columns}",
        "ko": "수준이 많은 범주형 열은 그래디언트 부스팅에 정수 코드로 전달: {columns}",
    },
    "cli.eval.churn.dropped": {"en": "dropped columns: {columns}", "ko": "제외한 열: {columns}"},
    "cli.discover.chosen": {"en": "← chosen", "ko": "← 선택"},
    "cli.discover.acceptable": {"en": "ok", "ko": "적합"},
    "cli.discover.category_split": {"en": "category split", "ko": "범주만 분할"},
    "cli.discover.subsegments": {
        "en": "cluster {cluster} sub-segments by {column} (a split its numbers do not support): "
        "{levels}",
        "ko": "군집 {cluster}의 {column}별 하위 세그먼트(수치 특성이 뒷받침하지 않는 분할): {levels}",
    },
    "cli.discover.clusters_title": {
        "en": "{k} clusters, {rows} customers",
        "ko": "군집 {k}개, 고객 {rows}명",
    },
    "cli.col.cluster": {"en": "cluster", "ko": "군집"},
    "cli.col.label": {"en": "label", "ko": "이름"},
    "cli.discover.excluded": {"en": "not clustered on: {items}", "ko": "군집화에서 제외: {items}"},
    "cli.discover.imputed": {
        "en": "missing values imputed: {items}",
        "ko": "결측값 대체: {items}",
    },
    "cli.discover.noise": {
        "en": "hdbscan noise points assigned to the nearest cluster: {count}",
        "ko": "가장 가까운 군집에 배정된 hdbscan 잡음 점: {count}",
    },
    "cli.discover.wrote": {"en": "wrote {rows} rows to {path}", "ko": "{path}에 {rows}행 저장"},
    "cli.discover.saved": {
        "en": "cluster profiles stored with run {run} (dashboard: /discovery)",
        "ko": "군집 프로필을 실행 {run}에 저장했습니다(대시보드: /discovery)",
    },
    "cli.discover.not_saved": {
        "en": "assignments not saved: add -o FILE.csv to write id, cluster and cluster_label",
        "ko": "배정 결과는 저장하지 않았습니다: id, 군집, 군집 이름을 저장하려면 -o FILE.csv를 지정하세요",
    },
    # -- KPIs per segment and cohorts (segmint.analysis) ---------------------------------------
    "kpis.heading": {"en": "KPIs per segment, with evidence", "ko": "세그먼트별 KPI와 근거"},
    "kpis.intro": {
        "en": "Window: the {days} days before the as-of date. Each value shows its 95% interval; "
        "* marks a segment that differs from the rest of the customers (Benjamini-Hochberg "
        "adjusted p < 0.05).",
        "ko": "기간: 기준일 이전 {days}일. 각 값에 95% 신뢰구간을 표시했습니다. *는 나머지 고객과 "
        "유의하게 다른 세그먼트입니다(Benjamini-Hochberg 보정 p < 0.05).",
    },
    "kpis.caption": {"en": "Scheme: {scheme}", "ko": "세분화 체계: {scheme}"},
    "kpis.all": {"en": "All customers", "ko": "전체 고객"},
    "kpis.not_computed": {"en": "Not computed:", "ko": "계산하지 않음:"},
    "kpi.revenue": {"en": "Revenue", "ko": "매출"},
    "kpi.revenue_share": {"en": "Revenue share", "ko": "매출 비중"},
    "kpi.revenue_per_customer": {"en": "Revenue per customer", "ko": "고객당 매출"},
    "kpi.average_order_value": {"en": "Avg. order value", "ko": "평균 주문 금액"},
    "kpi.orders_per_customer": {"en": "Orders per customer", "ko": "고객당 주문 수"},
    "kpi.retention_rate": {"en": "Retention", "ko": "유지율"},
    "kpi.churn_rate": {"en": "Churn", "ko": "이탈률"},
    "kpi.conversion_rate": {"en": "Conversion", "ko": "전환율"},
    "kpi.engagement_rate": {"en": "Active share", "ko": "활성 고객 비율"},
    "kpi.active_days_per_active_customer": {
        "en": "Active days per active customer",
        "ko": "활성 고객당 활동 일수",
    },
    "kpi.activation_rate": {"en": "Activation", "ko": "활성화율"},
    "kpi.nrr": {"en": "NRR", "ko": "순매출 유지율(NRR)"},
    "kpi.grr": {"en": "GRR", "ko": "총매출 유지율(GRR)"},
    "kpi.predicted_clv": {"en": "Avg. predicted CLV", "ko": "평균 예측 CLV"},
    "kpi.health_score": {"en": "Avg. health score", "ko": "평균 건강 점수"},
    "cohorts.heading": {"en": "Acquisition cohorts", "ko": "획득 코호트"},
    "cohorts.intro": {
        "en": "Rows: customers grouped by the period of their first purchase (size in brackets). "
        "Column k: the share of the cohort that bought again k periods later. Empty cells are "
        "periods the data does not reach yet; a dashed border marks a period only partly observed.",
        "ko": "행: 첫 구매 시기별 고객 묶음(괄호 안은 고객 수). k열: k기간 뒤에 다시 구매한 고객 비율. "
        "빈 칸은 아직 데이터가 없는 기간이고, 점선 테두리는 일부만 관측된 기간입니다.",
    },
    "cohorts.by_month": {"en": "month", "ko": "월"},
    "cohorts.by_week": {"en": "week", "ko": "주"},
    "cohorts.customer_caption": {
        "en": "Customer retention by {period} since the first purchase",
        "ko": "첫 구매 후 {period}별 고객 유지율",
    },
    "cohorts.revenue_caption": {
        "en": "Revenue retention by {period}: net revenue over the cohort's first-period revenue",
        "ko": "{period}별 매출 유지율: 첫 기간 매출 대비 순매출",
    },
    # -- history: changes, migration, sizes over runs, backfill (segmint.analysis.history) ------
    "cli.scope.backfill": {"en": "backfill", "ko": "과거 재계산"},
    "cli.stage.backfill_date": {"en": "as of", "ko": "기준일"},
    "history.changes.first": {
        "en": "run {run} (as of {as_of}) is the first snapshot: nothing to compare it with",
        "ko": "실행 {run}(기준일 {as_of})이 첫 스냅샷이라 비교할 이전 스냅샷이 없습니다",
    },
    "history.changes.header": {
        "en": "scheme {scheme} · run {run} (as of {as_of}) compared with run {previous} "
        "(as of {previous_as_of})",
        "ko": "세분화 체계 {scheme} · 실행 {run}(기준일 {as_of})과 실행 {previous}"
        "(기준일 {previous_as_of}) 비교",
    },
    "history.changes.summary_title": {
        "en": "customers entering and leaving each segment",
        "ko": "세그먼트별 유입·이탈 고객",
    },
    "history.changes.customers_title": {
        "en": "customers who changed segment ({count})",
        "ko": "세그먼트가 바뀐 고객 ({count}명)",
    },
    "history.changes.none": {
        "en": "no customer changed segment",
        "ko": "세그먼트가 바뀐 고객이 없습니다",
    },
    "history.more_rows": {
        "en": "and {count} more (--json lists every one)",
        "ko": "외 {count}건 (--json으로 전체 목록 확인)",
    },
    "history.new": {"en": "(new)", "ko": "(신규)"},
    "history.gone": {"en": "(gone)", "ko": "(없어짐)"},
    "history.col.segment": {"en": "segment", "ko": "세그먼트"},
    "history.col.entered": {"en": "entered", "ko": "유입"},
    "history.col.exited": {"en": "exited", "ko": "이탈"},
    "history.col.net": {"en": "net", "ko": "순증감"},
    "history.col.customer_id": {"en": "customer", "ko": "고객"},
    "history.col.from_segment": {"en": "from", "ko": "이전"},
    "history.col.to_segment": {"en": "to", "ko": "이후"},
    "history.col.from_to": {"en": "from \\ to", "ko": "이전 \\ 이후"},
    "history.col.total": {"en": "total", "ko": "합계"},
    "history.col.run": {"en": "run", "ko": "실행"},
    "history.col.as_of": {"en": "as of", "ko": "기준일"},
    "history.col.customers": {"en": "customers", "ko": "고객 수"},
    "history.col.segment_changes": {"en": "segment changes", "ko": "세그먼트 변경"},
    "history.col.replaced": {"en": "replaced runs", "ko": "대체된 실행"},
    "history.migration.title": {
        "en": "migration in {scheme}: run {from_run} → run {to_run}",
        "ko": "{scheme} 이동: 실행 {from_run} → 실행 {to_run}",
    },
    "history.migration.legend": {
        "en": "rows: segment in the earlier run; columns: in the later one; each row sums to the "
        "earlier segment's size (--shares for row shares)",
        "ko": "행: 이전 실행의 세그먼트, 열: 이후 실행의 세그먼트; 각 행의 합은 이전 세그먼트의 "
        "크기입니다(--shares로 행 비율 표시)",
    },
    "history.migration.legend_shares": {
        "en": "rows: segment in the earlier run; columns: in the later one; cells: share of the row",
        "ko": "행: 이전 실행의 세그먼트, 열: 이후 실행의 세그먼트; 칸: 행 대비 비율",
    },
    "history.sizes_title": {
        "en": "segment sizes in {scheme} per run",
        "ko": "실행별 {scheme} 세그먼트 크기",
    },
    "history.kpi_title": {
        "en": "{kpi} per run ({days}-day window)",
        "ko": "실행별 {kpi} ({days}일 기간)",
    },
    "history.backfill.title": {"en": "backfill", "ko": "과거 재계산"},
    # -- segment predictive validity and goals ----------------------------------------------
    "validity.title": {
        "en": "{scheme} as of {as_of}: what happened in the next {days} days",
        "ko": "{scheme} 기준일 {as_of}: 이후 {days}일 동안의 결과",
    },
    "validity.col.segment": {"en": "segment", "ko": "세그먼트"},
    "validity.col.customers": {"en": "customers", "ko": "고객 수"},
    "validity.col.at_risk": {"en": "at risk", "ko": "이탈 가능 고객"},
    "validity.col.churn_rate": {"en": "churn rate", "ko": "이탈률"},
    "validity.col.interval": {"en": "95% interval", "ko": "95% 신뢰구간"},
    "validity.col.revenue": {"en": "revenue per customer", "ko": "고객당 매출"},
    "validity.summary": {
        "en": "churn = {definition}; {n} customer-dates, {churned} churned; segment × churned "
        "chi-square {chi} (df {dof}, p {p}); churn AUC of the segments' order {auc}",
        "ko": "이탈 기준 = {definition}; 고객-기준일 {n}건, 이탈 {churned}건; 세그먼트 × 이탈 "
        "카이제곱 {chi} (자유도 {dof}, p {p}); 세그먼트 순서의 이탈 AUC {auc}",
    },
    "validity.unobserved": {
        "en": "not judged yet (the horizon runs past the data): {dates}",
        "ko": "아직 판단할 수 없음(기간이 데이터 끝을 넘음): {dates}",
    },
    "validity.heading": {
        "en": "Do the segments predict churn?",
        "ko": "세그먼트가 이탈을 예측하는가?",
    },
    "validity.intro": {
        "en": "For every earlier snapshot the data lets us judge: the segment each customer was in, "
        "and whether they churned in the {days} days after. A chi-square p below 0.05 says churn "
        "differs between the segments; the AUC (0.5 = no signal, 1 = perfect) says how well the "
        "segments, ordered by their churn, separate who churned.",
        "ko": "판단할 수 있는 이전 스냅샷마다 고객이 속했던 세그먼트와 이후 {days}일 안에 이탈했는지를 "
        "비교했습니다. 카이제곱 p가 0.05보다 작으면 세그먼트 간 이탈률이 다르다는 뜻이고, AUC(0.5 = "
        "신호 없음, 1 = 완벽)는 이탈률 순으로 정렬한 세그먼트가 이탈 고객을 얼마나 잘 구분하는지 보여 줍니다.",
    },
    "validity.report_caption": {
        "en": "{scheme}: {dates} snapshots · chi-square {chi} (p {p}) · AUC {auc}",
        "ko": "{scheme}: 스냅샷 {dates}개 · 카이제곱 {chi} (p {p}) · AUC {auc}",
    },
    "goals.heading": {"en": "Goals", "ko": "목표"},
    "goals.intro": {
        "en": "Each goal's latest value (95% interval), and the value a straight line through "
        "every run's value reaches by the goal's date.",
        "ko": "각 목표의 최근 값(95% 신뢰구간)과, 모든 실행의 값을 지나는 직선 추세가 목표 날짜에 "
        "도달하는 값입니다.",
    },
    "goals.title": {"en": "goals", "ko": "목표"},
    "goals.reason.no_value": {
        "en": "the KPI has no value for this segment in any run",
        "ko": "어느 실행에서도 이 세그먼트의 KPI 값이 없습니다",
    },
    "goals.reason.date_passed": {
        "en": "the date {by} has passed: the latest value decides",
        "ko": "기한 {by}이 지났습니다: 최근 값으로 판단합니다",
    },
    "goals.reason.one_run": {
        "en": "one run only: `segmint backfill` earlier dates to see a trend",
        "ko": "실행이 하나뿐입니다: 추세를 보려면 `segmint backfill`로 이전 날짜를 계산하세요",
    },
    "goals.recomputed": {
        "en": "KPIs of run(s) {runs} were recomputed now from today's data: those runs did not "
        "store KPIs with the current kpis: options; `segmint backfill` their dates to store them",
        "ko": "실행 {runs}의 KPI는 오늘 데이터로 다시 계산했습니다: 이 실행들은 현재 kpis: 설정의 "
        "KPI를 저장하지 않았습니다. 저장하려면 해당 날짜를 `segmint backfill`로 다시 실행하세요",
    },
    "validity.definition.subscription": {"en": "subscription ends", "ko": "구독 종료"},
    "validity.definition.purchase": {"en": "no purchase", "ko": "구매 없음"},
    "goals.col.goal": {"en": "goal", "ko": "목표"},
    "goals.col.latest": {"en": "latest", "ko": "최근 값"},
    "goals.col.interval": {"en": "95% interval", "ko": "95% 신뢰구간"},
    "goals.col.target": {"en": "target", "ko": "목표치"},
    "goals.col.projected": {"en": "trend at date", "ko": "기한 시점 추세값"},
    "goals.col.runs": {"en": "runs", "ko": "실행 수"},
    "goals.col.status": {"en": "status", "ko": "상태"},
    "goals.status.on_track": {"en": "on track", "ko": "달성 예상"},
    "goals.status.off_track": {"en": "off track", "ko": "달성 어려움"},
    "goals.status.unknown": {"en": "no trend yet", "ko": "추세 없음"},
    **ACTIVATION_MESSAGES,
    # -- insights: preferences, price sensitivity, purchase timing ----------------------------
    "insights.head": {
        "en": "scheme {scheme} · run {run} · as of {as_of}",
        "ko": "세분화 체계 {scheme} · 실행 {run} · 기준일 {as_of}",
    },
    "insights.preferences.title": {
        "en": "What each segment buys ({level}): share of the segment's net revenue vs everybody",
        "ko": "세그먼트별 구매 선호 ({level}): 세그먼트 순매출 비중 대 전체 비중",
    },
    "insights.preferences.unranked": {
        "en": "† fewer than {n} buyers in the segment: shown, not ranked. Lift = segment share / "
        "population share; 95% interval by bootstrap over customers; p adjusted by "
        "Benjamini-Hochberg.",
        "ko": "† 세그먼트 내 구매자가 {n}명 미만: 표시하지만 순위에서 제외. 리프트 = 세그먼트 비중 / 전체 "
        "비중, 95% 구간은 고객 부트스트랩, p값은 Benjamini-Hochberg 보정.",
    },
    "insights.pairs.title": {
        "en": "Bought together ({baskets} baskets)",
        "ko": "함께 구매 (장바구니 {baskets}개)",
    },
    "insights.pairs.left_out": {
        "en": "{n} baskets with more than {size} items were left out of the pairs.",
        "ko": "품목이 {size}개를 넘는 장바구니 {n}개는 조합 분석에서 제외했습니다.",
    },
    "insights.price.title": {
        "en": "Price sensitivity per segment (95% intervals)",
        "ko": "세그먼트별 가격 민감도 (95% 구간)",
    },
    "insights.price.note": {
        "en": "Customers with fewer than {n} orders are 'insufficient' (not labelled); order "
        "shares are shrunk toward the segment (beta-binomial).",
        "ko": "주문이 {n}건 미만인 고객은 '정보 부족'(분류하지 않음)이며, 주문 비율은 세그먼트 쪽으로 "
        "축소 추정(베타-이항)했습니다.",
    },
    "insights.timing.title": {
        "en": "Purchase rhythm per segment (last 365 days)",
        "ko": "세그먼트별 구매 주기 (최근 365일)",
    },
    "insights.backtest.head": {
        "en": "Forecasts made at {cutoff}, checked against purchases to {as_of} ({days} days)",
        "ko": "{cutoff} 기준 예측을 {as_of}까지의 구매({days}일)와 비교",
    },
    "insights.backtest.title": {
        "en": "Next-purchase forecasts: model vs naive rule",
        "ko": "다음 구매 예측: 모델 대 단순 규칙",
    },
    "insights.backtest.note": {
        "en": "MAE in days over customers who bought in the holdout (same customers for both); "
        "coverage of the 80% interval over buyers whose interval ends inside the holdout; "
        "Brier score of p_purchase_30d over every customer. Naive: last purchase + the median "
        "gap (moved to the cut-off), a constant 30-day rate.",
        "ko": "MAE(일)는 검증 기간에 구매한 고객 기준(두 방법 동일 고객), 80% 구간 적중률은 구간이 검증 기간 "
        "안에서 끝나는 구매 고객 기준, p_purchase_30d의 Brier 점수는 전체 고객 기준입니다. 단순 규칙: 마지막 "
        "구매 + 중앙 구매 간격(기준일 이전이면 기준일로), 30일 구매율은 상수.",
    },
    "insights.method.model": {"en": "model", "ko": "모델"},
    "insights.method.naive": {"en": "naive", "ko": "단순 규칙"},
    "insights.col.item": {"en": "item", "ko": "품목"},
    "insights.col.buyers": {"en": "buyers", "ko": "구매자"},
    "insights.col.share": {"en": "share", "ko": "비중"},
    "insights.col.population": {"en": "everybody", "ko": "전체"},
    "insights.col.lift": {"en": "lift", "ko": "리프트"},
    "insights.col.interval": {"en": "95% interval", "ko": "95% 구간"},
    "insights.col.antecedent": {"en": "bought", "ko": "구매 품목"},
    "insights.col.consequent": {"en": "also bought", "ko": "함께 구매"},
    "insights.col.support": {"en": "support", "ko": "지지도"},
    "insights.col.confidence": {"en": "confidence", "ko": "신뢰도"},
    "insights.col.discount_share": {"en": "discount share", "ko": "할인 비중"},
    "insights.col.discounted_order_share": {"en": "orders discounted", "ko": "할인 주문 비율"},
    "insights.col.coupon_order_share": {"en": "orders with coupon", "ko": "쿠폰 주문 비율"},
    "insights.col.redemption_rate": {"en": "offers redeemed", "ko": "혜택 사용률"},
    "insights.col.deal_seekers": {"en": "deal seekers", "ko": "할인 추구형"},
    "insights.col.full_price": {"en": "full price", "ko": "정가 구매형"},
    "insights.col.median_cycle": {"en": "median cycle (days)", "ko": "중앙 구매 주기(일)"},
    "insights.col.p30": {"en": "buy in 30 days", "ko": "30일 내 구매 확률"},
    "insights.col.overdue": {"en": "overdue", "ko": "주기 초과"},
    "insights.col.weekday": {"en": "busiest day", "ko": "최다 요일"},
    "insights.col.hour": {"en": "busiest hour", "ko": "최다 시간"},
    "insights.col.month": {"en": "top month", "ko": "최고 매출 월"},
    "insights.col.method": {"en": "method", "ko": "방법"},
    "insights.col.mae": {"en": "MAE days (customers)", "ko": "MAE 일 (고객)"},
    "insights.col.coverage": {"en": "80% coverage (customers)", "ko": "80% 적중률 (고객)"},
    "insights.col.brier": {"en": "Brier 30d", "ko": "Brier 30일"},
    # -- report: Understand section ---------------------------------------------------------
    "understand.heading": {"en": "Understand", "ko": "고객 이해"},
    "understand.intro": {
        "en": "What each segment buys, how it responds to price and when it buys. These are "
        "observed associations, not effects: test a change with an experiment before acting "
        "on it.",
        "ko": "세그먼트별 구매 품목, 가격 반응, 구매 시기입니다. 관찰된 연관성이지 인과 효과가 아니므로, "
        "실행 전에 실험으로 확인하세요.",
    },
    "understand.preferences": {
        "en": "What each segment buys more than everybody ({level}): lift = segment's share of "
        "net revenue / everybody's share, 95% bootstrap interval, * = Benjamini-Hochberg "
        "adjusted p < 0.05. Items with fewer than {n} buyers in a segment are not ranked.",
        "ko": "세그먼트가 전체보다 더 많이 사는 품목({level}): 리프트 = 세그먼트 순매출 비중 / 전체 비중, "
        "95% 부트스트랩 구간, * = Benjamini-Hochberg 보정 p < 0.05. 세그먼트 내 구매자가 {n}명 미만인 "
        "품목은 순위에서 제외합니다.",
    },
    "understand.pairs": {
        "en": "Bought together in the same order ({baskets} baskets): the strongest pairs.",
        "ko": "같은 주문에서 함께 구매한 품목 (장바구니 {baskets}개): 가장 강한 조합.",
    },
    "understand.price": {
        "en": "Price sensitivity (95% intervals). Order shares are shrunk toward the segment; "
        "customers with fewer than {n} orders are not labelled.",
        "ko": "가격 민감도 (95% 구간). 주문 비율은 세그먼트 쪽으로 축소 추정했고, 주문이 {n}건 미만인 "
        "고객은 분류하지 않습니다.",
    },
    "persona.price.deal": {
        "en": "Deal seekers: {deal} buy on discount in at least half their orders (everybody "
        "{pop_deal})",
        "ko": "할인 추구형: {deal}가 주문의 절반 이상을 할인으로 구매 (전체 {pop_deal})",
    },
    "persona.price.full": {
        "en": "Full-price buyers: {full} rarely use a discount (everybody {pop_full})",
        "ko": "정가 구매형: {full}가 할인을 거의 쓰지 않음 (전체 {pop_full})",
    },
    "persona.price.occasional": {
        "en": "Occasional discount users: {occasional} use a discount in some orders, {deal} are "
        "deal seekers (everybody {pop_deal})",
        "ko": "가끔 할인 이용형: {occasional}가 일부 주문에서 할인을 사용, 할인 추구형 {deal} "
        "(전체 {pop_deal})",
    },
    "persona.price.mixed": {
        "en": "Mixed on price: {deal} deal seekers, {full} full-price buyers (everybody {pop_deal} "
        "and {pop_full})",
        "ko": "가격 혼합형: 할인 추구형 {deal}, 정가 구매형 {full} (전체 {pop_deal}, {pop_full})",
    },
    "understand.persona.deal": {
        "en": "{segment}: deal seekers — {deal} buy on discount in at least half their orders.",
        "ko": "{segment}: 할인 추구형 — {deal}가 주문의 절반 이상을 할인으로 구매합니다.",
    },
    "understand.persona.full": {
        "en": "{segment}: full-price buyers — {full} rarely use a discount.",
        "ko": "{segment}: 정가 구매형 — {full}가 할인을 거의 쓰지 않습니다.",
    },
    "understand.persona.mixed": {
        "en": "{segment}: mixed — {deal} deal seekers, {full} full-price buyers.",
        "ko": "{segment}: 혼합형 — 할인 추구형 {deal}, 정가 구매형 {full}.",
    },
    "understand.timing": {
        "en": "When they buy (last 365 days). Chance to buy in 30 days and overdue customers come "
        "from each customer's own rhythm shrunk toward everybody's, given the days since "
        "their last order (the same figures rules read as overdue_days and p_purchase_30d).",
        "ko": "구매 시기 (최근 365일). 30일 내 구매 확률과 주기 초과 고객은 각 고객의 구매 주기를 "
        "전체 고객의 주기 쪽으로 축소 추정하고 마지막 주문 이후 경과일을 반영해 계산했습니다 "
        "(규칙이 읽는 overdue_days, p_purchase_30d와 같은 값).",
    },
    "understand.col.item": {"en": "Item", "ko": "품목"},
    "understand.col.pair_lift": {"en": "Lift", "ko": "리프트"},
    "understand.level.category": {"en": "category", "ko": "카테고리"},
    "understand.level.product": {"en": "product", "ko": "상품"},
    "understand.level.department": {"en": "department", "ko": "부문"},
    "understand.col.buyers": {"en": "Buyers", "ko": "구매자"},
    "understand.col.share": {"en": "Share", "ko": "비중"},
    "understand.col.everybody": {"en": "Everybody", "ko": "전체"},
    "understand.col.lift": {"en": "Lift (95%)", "ko": "리프트 (95%)"},
    "understand.col.bought": {"en": "Bought", "ko": "구매 품목"},
    "understand.col.also": {"en": "Also bought", "ko": "함께 구매"},
    "understand.col.support": {"en": "Support", "ko": "지지도"},
    "understand.col.confidence": {"en": "Confidence", "ko": "신뢰도"},
    "understand.col.discount_share": {"en": "Discount share", "ko": "할인 비중"},
    "understand.col.discounted_order_share": {"en": "Orders discounted", "ko": "할인 주문 비율"},
    "understand.col.coupon_order_share": {"en": "Orders with coupon", "ko": "쿠폰 주문 비율"},
    "understand.col.redemption_rate": {"en": "Offers redeemed", "ko": "혜택 사용률"},
    "understand.col.deal_seekers": {"en": "Deal seekers", "ko": "할인 추구형"},
    "understand.col.full_price": {"en": "Full price", "ko": "정가 구매형"},
    "understand.col.cycle": {"en": "Median cycle (days)", "ko": "중앙 구매 주기(일)"},
    "understand.col.p30": {"en": "Buy in 30 days", "ko": "30일 내 구매 확률"},
    "understand.col.overdue": {"en": "Overdue", "ko": "주기 초과"},
    "understand.col.weekday": {"en": "Busiest day", "ko": "최다 요일"},
    "understand.col.hour": {"en": "Busiest hour", "ko": "최다 시간"},
    "understand.col.month": {"en": "Top month", "ko": "최고 매출 월"},
    "understand.month": {"en": "month {month}", "ko": "{month}월"},
    "understand.day.mon": {"en": "Monday", "ko": "월요일"},
    "understand.day.tue": {"en": "Tuesday", "ko": "화요일"},
    "understand.day.wed": {"en": "Wednesday", "ko": "수요일"},
    "understand.day.thu": {"en": "Thursday", "ko": "목요일"},
    "understand.day.fri": {"en": "Friday", "ko": "금요일"},
    "understand.day.sat": {"en": "Saturday", "ko": "토요일"},
    "understand.day.sun": {"en": "Sunday", "ko": "일요일"},
}


def check_lang(lang: str) -> str:
    """Return `lang` if it is a supported language, else raise ValueError listing the allowed ones."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}")
    return lang


def t(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """Return the message `key` in `lang`, with `{name}` placeholders filled from `params`."""
    check_lang(lang)
    try:
        template = MESSAGES[key][lang]
    except KeyError:
        raise KeyError(f"no message {key!r} in the segmint catalogue") from None
    return template.format(**params) if params else template


def has_message(key: str) -> bool:
    """Return whether the catalogue holds `key`."""
    return key in MESSAGES


def segment_label(name: str, lang: str = DEFAULT_LANG) -> str:
    """Return the display name of an RFM segment in `lang`; unknown names come back unchanged."""
    key = f"segment.{name}"
    return t(key, lang) if key in MESSAGES else name


def detect_lang(environ: Mapping[str, str] | None = None) -> str:
    """Return "ko" when SEGMINT_LANG (or else LANG) starts with "ko", otherwise "en"."""
    env = os.environ if environ is None else environ
    chosen = env.get("SEGMINT_LANG") or env.get("LANG") or ""
    return "ko" if chosen.strip().lower().startswith("ko") else DEFAULT_LANG
