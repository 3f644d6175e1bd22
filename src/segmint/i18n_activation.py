"""Interface strings of exports, destinations and privacy commands, in English and Korean."""

from __future__ import annotations

ACTIVATION_MESSAGES: dict[str, dict[str, str]] = {
    "cli.export.done": {
        "en": "exported {rows} customers of {subject} (run {run}, as of {as_of}) to {path}",
        "ko": "{subject}의 고객 {rows}명(실행 {run}, 기준일 {as_of})을 {path}에 내보냈습니다",
    },
    "cli.export.columns": {"en": "columns: {columns}", "ko": "열: {columns}"},
    "cli.export.pii_drop": {
        "en": "personal data left out: {columns}",
        "ko": "개인정보 열 제외: {columns}",
    },
    "cli.export.pii_hash": {
        "en": "personal data hashed (salted SHA-256): {columns}",
        "ko": "개인정보 열 해시 처리(솔트 SHA-256): {columns}",
    },
    "cli.export.pii_keep": {
        "en": "personal data included as is: {columns}",
        "ko": "개인정보 열 그대로 포함: {columns}",
    },
    "cli.sync.webhook": {
        "en": "{name} (webhook, {kind}): {changes} changes; {sent} batches delivered, {pending} waiting in the outbox",
        "ko": "{name} (웹훅, {kind}): 변경 {changes}건; 배치 {sent}개 전달, {pending}개 아웃박스 대기",
    },
    "cli.sync.kind.full": {"en": "full membership", "ko": "전체 명단"},
    "cli.sync.kind.diff": {"en": "changes since the last sync", "ko": "지난 동기화 이후 변경"},
    "cli.sync.kind.actions": {
        "en": "actions new or changed since the last sync",
        "ko": "지난 동기화 이후 새로 생기거나 바뀐 액션",
    },
    "cli.sync.postgres": {
        "en": "{name} (PostgreSQL table {table}): {upserted} customers upserted, {deleted} rows deleted",
        "ko": "{name} (PostgreSQL 테이블 {table}): 고객 {upserted}명 반영, {deleted}행 삭제",
    },
    "cli.sync.run": {"en": "synced run {run}", "ko": "실행 {run} 동기화"},
    "cli.sync.pending": {
        "en": "{pending} batch(es) of {name} could not be delivered ({error}); they stay in the outbox and are sent first on the next sync",
        "ko": "{name}의 배치 {pending}개를 전달하지 못했습니다({error}). 아웃박스에 보관되어 다음 동기화 때 먼저 전송됩니다",
    },
    "cli.sync.status_title": {"en": "destinations", "ko": "전송 대상"},
    "cli.sync.outbox_title": {"en": "outbox (waiting batches)", "ko": "아웃박스 (대기 중인 배치)"},
    "cli.sync.never": {"en": "never synced", "ko": "동기화한 적 없음"},
    "cli.sync.empty_outbox": {"en": "the outbox is empty", "ko": "아웃박스가 비어 있습니다"},
    "cli.col.destination": {"en": "destination", "ko": "전송 대상"},
    "cli.col.type": {"en": "type", "ko": "종류"},
    "cli.col.last_sync": {"en": "last sync", "ko": "마지막 동기화"},
    "cli.col.status": {"en": "status", "ko": "상태"},
    "cli.col.batches_sent": {"en": "batches sent", "ko": "전송된 배치"},
    "cli.col.waiting": {"en": "waiting", "ko": "대기"},
    "cli.col.batch": {"en": "batch", "ko": "배치"},
    "cli.col.idempotency_key": {"en": "idempotency key", "ko": "멱등성 키"},
    "cli.col.changes": {"en": "changes", "ko": "변경"},
    "cli.col.attempts": {"en": "attempts", "ko": "시도"},
    "cli.col.last_error": {"en": "last error", "ko": "마지막 오류"},
    "cli.erase.done": {
        "en": "erased customer {id} (ids: {ids}); erasure recorded as {hash} at {at}",
        "ko": "고객 {id}(ID {ids}개)을 삭제했습니다. 삭제 기록: {hash} ({at})",
    },
    "cli.erase.rows": {"en": "rows deleted: {items}", "ko": "삭제된 행: {items}"},
    "cli.erase.files": {"en": "files redacted: {files}", "ko": "편집된 파일: {files}"},
    "cli.erase.unredactable": {
        "en": "could not redact (remove by hand): {files}",
        "ko": "편집할 수 없는 파일(직접 삭제하세요): {files}",
    },
    "cli.erase.destinations": {
        "en": "PostgreSQL destinations: {items}",
        "ko": "PostgreSQL 전송 대상: {items}",
    },
    "cli.erase.receivers": {
        "en": "webhook receivers told (customer.erased): {items}",
        "ko": "웹훅 수신자에게 알림(customer.erased): {items}",
    },
    "cli.erase.receiver.delivered": {"en": "delivered", "ko": "전달됨"},
    "cli.erase.receiver.pending": {
        "en": "waiting in the outbox with the id's hash only",
        "ko": "ID 해시만 담아 아웃박스 대기",
    },
    "cli.erase.sources": {
        "en": "your sources still hold this customer: {sources}; later ingests suppress their rows until you remove them there",
        "ko": "원본에 아직 이 고객이 있습니다: {sources}. 원본에서 지울 때까지 이후 적재에서 해당 행을 제외합니다",
    },
    "cli.erase.compacted": {
        "en": "the workspace database was rewritten without the deleted data",
        "ko": "삭제된 데이터 없이 작업공간 데이터베이스를 다시 썼습니다",
    },
    "cli.ingest.suppressed": {
        "en": "{count} rows of erased customers suppressed (sources: {sources}); remove them from the sources",
        "ko": "삭제된 고객의 행 {count}개를 제외했습니다(원본: {sources}). 원본에서 지워 주세요",
    },
    "cli.ingest.totals_suppressed": {
        "en": "rows read = loaded + rejected + suppressed: {read} = {loaded} + {rejected} + "
        "{suppressed} · {customers} customers · rejected rows: {path}",
        "ko": "읽은 행 = 적재 + 거부 + 제외: {read} = {loaded} + {rejected} + {suppressed} "
        "· 고객 {customers}명 · 거부된 행: {path}",
    },
    "validate.destination_env": {
        "en": "{where}: environment variable {env} is not set",
        "ko": "{where}: 환경 변수 {env}이(가) 설정되지 않았습니다",
    },
    "validate.destination_salt": {
        "en": "{where}.pii: hash needs a salt in the environment variable {env} (privacy.salt_env), which is not set",
        "ko": "{where}.pii: 해시에는 환경 변수 {env}(privacy.salt_env)의 솔트가 필요하지만 설정되지 않았습니다",
    },
    "validate.destination_scheme": {
        "en": "{where}: unknown scheme {name}; schemes: {known}",
        "ko": "{where}: 알 수 없는 세분화 체계 {name}; 체계: {known}",
    },
    "validate.destination_tag": {
        "en": "{where}: unknown tag {name}; tags: {known}",
        "ko": "{where}: 알 수 없는 태그 {name}; 태그: {known}",
    },
    "validate.destination_message_salt": {
        "en": "{where}.message: hash needs a salt in the environment variable {env} (privacy.salt_env), which is not set",
        "ko": "{where}.message: 해시에는 환경 변수 {env}(privacy.salt_env)의 솔트가 필요하지만 설정되지 않았습니다",
    },
    "validate.destination_no_playbooks": {
        "en": "{where}: actions: true, but segmint.yaml has no playbooks: (no action queue to send)",
        "ko": "{where}: actions: true이지만 segmint.yaml에 playbooks:가 없습니다 (보낼 액션 대기열 없음)",
    },
    "validate.destination_playbook": {
        "en": "{where}.playbooks: unknown playbook {name}; playbooks: {known}",
        "ko": "{where}.playbooks: 알 수 없는 플레이북 {name}; 플레이북: {known}",
    },
    "validate.destination_column": {
        "en": "{where}: unknown column {name} (not a feature or score)",
        "ko": "{where}: 알 수 없는 열 {name} (특성이나 점수가 아님)",
    },
    "cli.stage.sync": {"en": "syncing destinations", "ko": "전송 대상 동기화"},
    "note.sync_skipped_backfill": {
        "en": "destinations not synced: run {run} is older than run {newest}, the newest snapshot",
        "ko": "전송 대상을 동기화하지 않았습니다: 실행 {run}은(는) 최신 스냅샷인 실행 {newest}보다 이전입니다",
    },
    "note.sync_failed": {
        "en": "destinations not synced: {reason}",
        "ko": "전송 대상을 동기화하지 못했습니다: {reason}",
    },
    "note.sync_webhook": {
        "en": "{name}: {changes} changes, {sent} batches delivered",
        "ko": "{name}: 변경 {changes}건, 배치 {sent}개 전달",
    },
    "note.sync_webhook_pending": {
        "en": "{name}: {changes} changes, {sent} batches delivered, {pending} waiting in the outbox ({error}); `segmint sync` sends them",
        "ko": "{name}: 변경 {changes}건, 배치 {sent}개 전달, {pending}개 아웃박스 대기({error}); `segmint sync`로 전송하세요",
    },
    "note.sync_postgres": {
        "en": "{name}: {upserted} customers upserted into {table}, {deleted} rows deleted",
        "ko": "{name}: {table}에 고객 {upserted}명 반영, {deleted}행 삭제",
    },
    "cli.customer.exported": {
        "en": "wrote everything held about customer {id} to {path}",
        "ko": "고객 {id}에 대해 보관 중인 모든 정보를 {path}에 저장했습니다",
    },
}
