"""What a student reads about their code's run (limits, crashes, tests passed, a failed test's
known mistake), in every language.

Written here rather than in ``grader.sandbox`` and ``grader.kinds.code``, which use them: the
pages render stored feedback in the reader's language (``grader.texts.localize``), and reading
these texts must load neither the sandbox nor the code kind into a web process.
"""

from __future__ import annotations

from grader.texts import define

UNSAFE = define(
    "run.unsafe",
    "[UNSAFE development sandbox: no isolation] {text}",
    "[안전하지 않은 개발용 샌드박스: 격리 없음] {text}",
)
UNSAFE_ONLY = define(
    "run.unsafe-only",
    "[UNSAFE development sandbox: no isolation]",
    "[안전하지 않은 개발용 샌드박스: 격리 없음]",
)
NO_FUNCTION = define(
    "run.no-function",
    "your module does not define the function to test",
    "모듈에 테스트할 함수가 정의되어 있지 않습니다",
)
MISSING_FUNCTION = define(
    "run.missing-function",
    "your module defines no function named {name}",
    "모듈에 이름이 {name}인 함수가 정의되어 있지 않습니다",
)
NOT_A_FUNCTION = define(
    "run.not-a-function",
    "your module defines a {found}, not a function, named {name}",
    "모듈에 정의된 {name}은(는) 함수가 아니라 {found}입니다",
)
# --- a call that failed: what the sandbox child names (a code and one fact), worded here -------

RETURNED_DTYPE = define(
    "run.returned-dtype",
    "returned an array of dtype {dtype}, expected numbers",
    "dtype이 {dtype}인 배열을 반환했습니다. 숫자 배열을 반환해야 합니다",
)
RETURNED_SUBCLASS = define(
    "run.returned-subclass",
    "returned a {name}, expected a plain NumPy array (np.ndarray)",
    "{name}을(를) 반환했습니다. 일반 NumPy 배열(np.ndarray)을 반환해야 합니다",
)
RETURNED_BIG_INT = define(
    "run.returned-big-int",
    "returned an integer too large for a NumPy number (int64)",
    "NumPy 정수(int64)에 담을 수 없을 만큼 큰 정수를 반환했습니다",
)
RETURNED_TYPE = define(
    "run.returned-type",
    "returned a {name}, expected a NumPy array",
    "{name}을(를) 반환했습니다. NumPy 배열을 반환해야 합니다",
)
RETURNED_UNREADABLE = define(
    "run.returned-unreadable",
    "returned a value that cannot be read: {error}",
    "읽을 수 없는 값을 반환했습니다: {error}",
)
MEMORY_ERROR = define(
    "run.memory-error",
    "memory limit of {mb} MB exceeded (MemoryError)",
    "메모리 한도 {mb} MB를 넘었습니다(MemoryError)",
)
SYS_EXIT = define(
    "run.sys-exit",
    "your code called sys.exit({code}); return a value instead",
    "코드가 sys.exit({code})을(를) 호출했습니다. 종료하지 말고 값을 반환하세요",
)

# --- the same, once a hidden input was in the child: only a known type and a line ------------

REDUCED_TYPE = define("run.reduced.type", "{name}", "{name} 발생")
REDUCED_TYPE_AT_LINE = define(
    "run.reduced.type-at-line", "{name} at line {line}", "{line}번째 줄에서 {name} 발생"
)
REDUCED_EXCEPTION = define("run.reduced.exception", "an exception", "예외 발생")
REDUCED_EXCEPTION_AT_LINE = define(
    "run.reduced.exception-at-line", "an exception at line {line}", "{line}번째 줄에서 예외 발생"
)
#: Where a hidden test raised an exception whose type is not shown (``crashes`` of a grade).
UNKNOWN_EXCEPTION = define("run.unknown-exception", "an exception", "예외")
REDUCED_NOT_AN_ARRAY = define(
    "run.reduced.not-an-array",
    "the function returned something other than a NumPy array or a number",
    "함수가 NumPy 배열이나 숫자가 아닌 값을 반환했습니다",
)

OUTPUT_LIMIT = define(
    "run.output-limit",
    "output limit of {kb} KB exceeded (stdout + stderr)",
    "출력 한도 {kb} KB를 넘었습니다(stdout + stderr)",
)
RESULT_LIMIT = define(
    "run.result-limit",
    "your results exceed the limit of {mb} MB",
    "결과가 한도 {mb} MB를 넘었습니다",
)
WALL_TIME = define(
    "run.wall-time",
    "time limit exceeded: still running after {seconds} s (wall clock)",
    "시간 제한을 넘었습니다: {seconds}초(실제 시간)가 지나도록 실행 중이었습니다",
)
MEMORY = define(
    "run.memory", "memory limit of {mb} MB exceeded", "메모리 한도 {mb} MB를 넘었습니다"
)
CPU_TIME = define(
    "run.cpu-time", "time limit of {seconds} s exceeded", "시간 제한 {seconds}초를 넘었습니다"
)
TAMPERED = define(
    "run.tampered",
    "the result channel was tampered with: results rejected",
    "결과 채널이 조작되어 결과를 받지 않았습니다",
)
STOPPED_EARLY = define(
    "run.stopped-early",
    "your program stopped before all tests ran",
    "모든 테스트가 실행되기 전에 프로그램이 멈췄습니다",
)
STOPPED_BY = define(
    "run.stopped-by", "your program was stopped: {what}", "프로그램이 중단되었습니다: {what}"
)
EXITED = define(
    "run.exited",
    "your program exited (exit code {code}) before all tests ran",
    "모든 테스트가 실행되기 전에 프로그램이 종료되었습니다(종료 코드 {code})",
)
TOO_LARGE = define(
    "run.file-too-large", "the file is larger than {kb} KB", "파일이 {kb} KB보다 큽니다"
)
#: Why a signal stopped the program, by signal name.
SIGNALS = {
    "SIGSYS": define(
        "run.signal.SIGSYS",
        "it made a forbidden system call (network, subprocesses and other system access are "
        "not allowed)",
        "금지된 시스템 호출을 했습니다(네트워크, 하위 프로세스 같은 시스템 접근은 허용되지 "
        "않습니다)",
    ),
    "SIGSEGV": define(
        "run.signal.SIGSEGV",
        "segmentation fault (often a recursion that is too deep)",
        "세그멘테이션 오류(재귀가 너무 깊을 때가 많습니다)",
    ),
    "SIGBUS": define("run.signal.SIGBUS", "bus error", "버스 오류"),
    "SIGABRT": define("run.signal.SIGABRT", "aborted", "중단됨(abort)"),
    "SIGFPE": define("run.signal.SIGFPE", "floating-point exception", "부동소수점 예외"),
    "SIGILL": define("run.signal.SIGILL", "illegal instruction", "잘못된 명령어"),
    "SIGKILL": define("run.signal.SIGKILL", "killed", "강제 종료됨"),
}
KILLED_BY = define("run.signal.other", "killed by signal {name}", "시그널 {name}(으)로 강제 종료됨")

# --- the code kind ----------------------------------------------------------------------------

SUBMIT_SOURCE = define(
    "code.submit-source",
    "submit the Python source of your module",
    "모듈의 파이썬 소스 코드를 제출하세요",
)
SYNTAX = define(
    "code.syntax",
    "{error}\nNothing ran, so this attempt does not count: fix the line above and submit again.",
    "{error}\n아무것도 실행되지 않았으므로 이번 시도는 세지 않습니다. 위의 줄을 고쳐 다시 "
    "제출하세요.",
)
PASSED = define(
    "code.passed", "{passed} of {total} tests passed", "테스트 {total}개 중 {passed}개 통과"
)
PASSED_MATCH = define(
    "code.passed-match",
    "{passed} of {total} tests passed. {count} failed test matches a known mistake: {title}.",
    "테스트 {total}개 중 {passed}개 통과. 실패한 테스트 {count}개가 알려진 실수와 같습니다: "
    "{title}.",
)
PASSED_MATCH_MANY = define(
    "code.passed-match-many",
    "{passed} of {total} tests passed. {count} failed tests match a known mistake: {title}.",
    "테스트 {total}개 중 {passed}개 통과. 실패한 테스트 {count}개가 알려진 실수와 같습니다: "
    "{title}.",
)
RUN_AND_SUMMARY = define("code.run-and-summary", "{run}\n{summary}", "{run}\n{summary}")
NOT_RUN = define("code.not-run", "not run", "실행되지 않음")
FAILED = define("code.failed", "failed", "실패")
CASE_FAILED = define("code.case-failed", "{check}; {hint}", "{check}; {hint}")

MATCHES = define(
    "code.case-matches", "matches a known mistake: {title}", "알려진 실수와 같은 결과: {title}"
)
MATCHES_CAPITAL = define(
    "code.case-matches.capital",
    "Matches a known mistake: {title}",
    "알려진 실수와 같은 결과: {title}",
)
