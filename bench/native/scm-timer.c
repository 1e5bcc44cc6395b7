/*
 * scm-timer.exe: times service transitions through the Service Control Manager API (not sc.exe,
 * whose own start-up and output would swamp what is measured).
 *
 *   scm-timer.exe <out.json> start <ServiceName> [timeoutMs] [method]
 *   scm-timer.exe <out.json> stop  <ServiceName> [timeoutMs] [method]
 *   scm-timer.exe <out.json> query <ServiceName>
 *
 * timeoutMs defaults to 30000. method is how the end of the transition is detected:
 *   auto    (default) one QueryServiceStatusEx right after the call (the transition is often over
 *           by then), then NotifyServiceStatusChangeW: an APC delivered into an alertable SleepEx;
 *   notify  NotifyServiceStatusChangeW without the first query;
 *   poll    a QueryServiceStatusEx loop with Sleep(1) between queries;
 *   spin    a QueryServiceStatusEx loop with SwitchToThread() between queries.
 * Should NotifyServiceStatusChangeW fail, auto and notify fall back to poll ("notifyError" says
 * why). While waiting for a notification the status is still queried every 10 ms, because an SCM
 * does not notify the state changes it makes itself (Wine's marks a crashed service STOPPED
 * silently) and Wine occasionally delivers a notification late; whichever sees the final state
 * first ends the wait, and "method" says which.
 *
 * Why notify by default (measured under Wine 8.0 against a test service that stamps
 * QueryPerformanceCounter around its SetServiceStatus, 15 runs each; latency from the return of
 * the service's SetServiceStatus to detection):
 *   notify  median 0.1 ms (start) / 0.3 ms (stop), p90 0.3 / 0.6 ms, next to no CPU;
 *   poll    median 0.6 / 0.8 ms, p90 1.0 / 3.2 ms (Sleep(1) sleeps ~1.1 ms; ~700 queries/s);
 *   spin    median 0.1 / 0.2 ms, p90 0.2 / 1.9 ms, but ~3000 queries/s, each one an RPC that
 *           takes the SCM's database lock, which the measured service's SetServiceStatus needs:
 *           it disturbs what it measures. So the fallback is poll (Sleep(1)), not spin.
 *
 * start: the SCM and the service are opened before the clock starts; the clock covers
 *        StartServiceW until SERVICE_RUNNING is seen. A service that reaches SERVICE_STOPPED
 *        instead (it failed while starting) is a failure reported at once, not a timeout.
 *        Wine's StartServiceW itself returns only after the service's first SetServiceStatus (or
 *        its death), Windows' once the service process has connected.
 * stop:  the clock covers ControlService(SERVICE_CONTROL_STOP) until SERVICE_STOPPED is seen;
 *        then (outside "ms") the service process's exit is awaited and reported as
 *        processExitMs (from the same origin), so that a following start does not find the old
 *        process still running. pid is the service's process at the time of the stop request.
 * query: ms is the duration of one QueryServiceStatusEx.
 *
 * The result is one JSON object written to <out.json> (a file: output to Linux pipes is
 * unreliable for some Windows programs under Wine):
 *   {"op":"start","service":"X","ok":true,"ms":12.345,"state":"RUNNING","pid":1234,
 *    "win32ExitCode":0,"serviceExitCode":0,"method":"notify","polls":1}
 * method is "poll" or "notify" (what saw the final state; "poll" with polls 1 when the first query
 * did), or "control" for a stop whose ControlService answer already said STOPPED; polls counts the
 * QueryServiceStatusEx calls inside the timed span. Plus "error":"<Win32 error number> <text>"
 * when ok is false (exit code 1), "processExitMs" for stop, "notifyError" when notification could
 * not be used. Usage errors: exit code 2, no JSON; the JSON file cannot be written: exit code 3.
 *
 * Built by bench/native/build.ts (x86_64-w64-mingw32-gcc -O2 -s -municode -static).
 */
#define WIN32_LEAN_AND_MEAN
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601
#endif
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

enum op { OP_START, OP_STOP, OP_QUERY };
enum method { M_AUTO, M_NOTIFY, M_POLL, M_SPIN };

#define SAFETY_QUERY_MS 10

typedef struct {
    const char *op;
    const WCHAR *service;
    BOOL ok;
    double ms;
    DWORD state; /* 0: unknown */
    DWORD pid;
    DWORD win32_exit_code;
    DWORD service_exit_code;
    const char *method;
    DWORD polls;
    DWORD error; /* 0: none */
    const char *error_note;
    double process_exit_ms; /* < 0: not measured */
    DWORD notify_error;
} result_t;

static LARGE_INTEGER g_freq;

static LONGLONG now_ticks(void)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return t.QuadPart;
}

static double ticks_to_ms(LONGLONG ticks)
{
    return (double)ticks * 1000.0 / (double)g_freq.QuadPart;
}

static LONGLONG ms_to_ticks(DWORD ms)
{
    return (LONGLONG)ms * g_freq.QuadPart / 1000;
}

/* ------------------------------------------------------------------ JSON output */

typedef struct {
    char buf[8192];
    size_t len;
} out_t;

static void put(out_t *o, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (o->len >= sizeof o->buf) return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, sizeof o->buf - o->len, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n;
    if (o->len > sizeof o->buf - 1) o->len = sizeof o->buf - 1;
}

/* Appends a JSON string (with quotes) holding the UTF-8 text `s`. */
static void put_json_utf8(out_t *o, const char *s)
{
    put(o, "\"");
    for (; *s; ++s) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') put(o, "\\%c", c);
        else if (c < 0x20) put(o, "\\u%04x", c);
        else put(o, "%c", c);
    }
    put(o, "\"");
}

static void put_json_wide(out_t *o, const WCHAR *s)
{
    char utf8[2048];
    if (!WideCharToMultiByte(CP_UTF8, 0, s, -1, utf8, sizeof utf8, NULL, NULL)) utf8[0] = 0;
    put_json_utf8(o, utf8);
}

static const char *state_name(DWORD state)
{
    switch (state) {
    case SERVICE_STOPPED: return "STOPPED";
    case SERVICE_START_PENDING: return "START_PENDING";
    case SERVICE_STOP_PENDING: return "STOP_PENDING";
    case SERVICE_RUNNING: return "RUNNING";
    case SERVICE_CONTINUE_PENDING: return "CONTINUE_PENDING";
    case SERVICE_PAUSE_PENDING: return "PAUSE_PENDING";
    case SERVICE_PAUSED: return "PAUSED";
    default: return "UNKNOWN";
    }
}

/* "<number> <system message>" for a Win32 error, in UTF-8. */
static void error_text(DWORD err, const char *note, char *out, size_t size)
{
    WCHAR msg[512];
    char utf8[1024];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0, msg,
                             sizeof msg / sizeof msg[0], NULL);
    while (n > 0 && (msg[n - 1] == L'\r' || msg[n - 1] == L'\n' || msg[n - 1] == L' ' || msg[n - 1] == L'.')) --n;
    msg[n] = 0;
    if (!n || !WideCharToMultiByte(CP_UTF8, 0, msg, -1, utf8, sizeof utf8, NULL, NULL)) strcpy(utf8, "(no message)");
    snprintf(out, size, "%lu %s%s", (unsigned long)err, utf8, note ? note : "");
}

static int write_result(const WCHAR *path, const result_t *r)
{
    out_t o;
    HANDLE f;
    DWORD written;
    BOOL ok;

    o.len = 0;
    put(&o, "{\"op\":\"%s\",\"service\":", r->op);
    put_json_wide(&o, r->service);
    put(&o, ",\"ok\":%s,\"ms\":%.3f,\"state\":\"%s\",\"pid\":%lu,\"win32ExitCode\":%lu,\"serviceExitCode\":%lu",
        r->ok ? "true" : "false", r->ms, state_name(r->state), (unsigned long)r->pid,
        (unsigned long)r->win32_exit_code, (unsigned long)r->service_exit_code);
    put(&o, ",\"method\":\"%s\",\"polls\":%lu", r->method, (unsigned long)r->polls);
    if (r->process_exit_ms >= 0) put(&o, ",\"processExitMs\":%.3f", r->process_exit_ms);
    if (r->notify_error) {
        char text[1200];
        error_text(r->notify_error, NULL, text, sizeof text);
        put(&o, ",\"notifyError\":");
        put_json_utf8(&o, text);
    }
    if (!r->ok) {
        char text[1200];
        error_text(r->error, r->error_note, text, sizeof text);
        put(&o, ",\"error\":");
        put_json_utf8(&o, text);
    }
    put(&o, "}\n");

    f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "scm-timer: cannot write %ls (error %lu)\n", path, (unsigned long)GetLastError());
        return 0;
    }
    ok = WriteFile(f, o.buf, (DWORD)o.len, &written, NULL) && written == o.len;
    CloseHandle(f);
    return ok;
}

/* ------------------------------------------------------------------ waiting for a state */

static BOOL query(SC_HANDLE svc, SERVICE_STATUS_PROCESS *s)
{
    DWORD needed;
    return QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)s, sizeof *s, &needed);
}

/* RUNNING ends a start (and STOPPED, as a failure); STOPPED ends a stop. */
static BOOL is_final(DWORD state, BOOL starting)
{
    return state == SERVICE_STOPPED || (starting && state == SERVICE_RUNNING);
}

static SERVICE_NOTIFYW g_notify;
static volatile LONG g_notified;
static LONGLONG g_notified_at;

static VOID CALLBACK on_notify(PVOID parameter)
{
    (void)parameter;
    g_notified_at = now_ticks();
    g_notified = 1;
}

static DWORD register_notify(SC_HANDLE svc, BOOL starting)
{
    DWORD mask = starting ? SERVICE_NOTIFY_RUNNING | SERVICE_NOTIFY_STOPPED : SERVICE_NOTIFY_STOPPED;
    ZeroMemory(&g_notify, sizeof g_notify);
    g_notify.dwVersion = SERVICE_NOTIFY_STATUS_CHANGE;
    g_notify.pfnNotifyCallback = on_notify;
    g_notified = 0;
    return NotifyServiceStatusChangeW(svc, mask, &g_notify);
}

/* Polls until a final state or the deadline. Returns 0 or a Win32 error (ERROR_TIMEOUT). */
static DWORD wait_poll(SC_HANDLE svc, BOOL starting, LONGLONG deadline, BOOL spin, result_t *r,
                       SERVICE_STATUS_PROCESS *s, LONGLONG *seen_at)
{
    r->method = "poll";
    for (;;) {
        LONGLONG t;
        if (!query(svc, s)) return GetLastError();
        t = now_ticks();
        r->polls++;
        if (is_final(s->dwCurrentState, starting)) {
            *seen_at = t;
            return 0;
        }
        if (t >= deadline) return ERROR_TIMEOUT;
        if (spin) SwitchToThread();
        else Sleep(1);
    }
}

static DWORD wait_notify(SC_HANDLE svc, BOOL starting, LONGLONG deadline, result_t *r, SERVICE_STATUS_PROCESS *s,
                         LONGLONG *seen_at)
{
    DWORD err = register_notify(svc, starting);
    if (err) {
        r->notify_error = err;
        return wait_poll(svc, starting, deadline, FALSE, r, s, seen_at);
    }
    r->method = "notify";
    for (;;) {
        LONGLONG t = now_ticks();
        DWORD slice = SAFETY_QUERY_MS;
        if (t < deadline && ticks_to_ms(deadline - t) < slice) slice = (DWORD)ticks_to_ms(deadline - t) + 1;
        if (t < deadline) SleepEx(slice, TRUE);
        if (g_notified) {
            if (g_notify.dwNotificationStatus != ERROR_SUCCESS) {
                r->notify_error = g_notify.dwNotificationStatus;
                return wait_poll(svc, starting, deadline, FALSE, r, s, seen_at);
            }
            *s = g_notify.ServiceStatus;
            if (is_final(s->dwCurrentState, starting)) {
                *seen_at = g_notified_at;
                return 0;
            }
            /* Not a state we asked for (cannot happen with this mask): ask again. */
            if ((err = register_notify(svc, starting))) {
                r->notify_error = err;
                return wait_poll(svc, starting, deadline, FALSE, r, s, seen_at);
            }
            continue;
        }
        /* No notification for a while: a change the SCM made itself is not notified. */
        if (!query(svc, s)) return GetLastError();
        t = now_ticks();
        r->polls++;
        if (is_final(s->dwCurrentState, starting)) {
            r->method = "poll";
            *seen_at = t;
            return 0;
        }
        if (t >= deadline) return ERROR_TIMEOUT;
    }
}

static DWORD wait_for_final(SC_HANDLE svc, BOOL starting, LONGLONG deadline, enum method m, result_t *r,
                            SERVICE_STATUS_PROCESS *s, LONGLONG *seen_at)
{
    switch (m) {
    case M_POLL: return wait_poll(svc, starting, deadline, FALSE, r, s, seen_at);
    case M_SPIN: return wait_poll(svc, starting, deadline, TRUE, r, s, seen_at);
    case M_NOTIFY: return wait_notify(svc, starting, deadline, r, s, seen_at);
    case M_AUTO:
    default:
        /* Often the transition is complete when the call returns: one query tells. */
        if (!query(svc, s)) return GetLastError();
        *seen_at = now_ticks();
        r->polls++;
        if (is_final(s->dwCurrentState, starting)) {
            r->method = "poll";
            return 0;
        }
        return wait_notify(svc, starting, deadline, r, s, seen_at);
    }
}

/* ------------------------------------------------------------------ operations */

static void take_status(result_t *r, const SERVICE_STATUS_PROCESS *s)
{
    r->state = s->dwCurrentState;
    r->win32_exit_code = s->dwWin32ExitCode;
    r->service_exit_code = s->dwServiceSpecificExitCode;
}

/* The status after a failure, outside the clock (best effort). */
static void take_status_after_failure(SC_HANDLE svc, result_t *r)
{
    SERVICE_STATUS_PROCESS s;
    if (svc && query(svc, &s)) {
        take_status(r, &s);
        r->pid = s.dwProcessId;
    }
}

static void fail(result_t *r, DWORD err, const char *note)
{
    r->ok = FALSE;
    r->error = err ? err : ERROR_GEN_FAILURE;
    r->error_note = note;
}

static void do_start(SC_HANDLE svc, DWORD timeout_ms, enum method m, result_t *r)
{
    SERVICE_STATUS_PROCESS s;
    LONGLONG t0, seen_at, deadline;
    DWORD err;

    t0 = now_ticks();
    deadline = t0 + ms_to_ticks(timeout_ms);
    if (!StartServiceW(svc, 0, NULL)) {
        err = GetLastError();
        r->ms = ticks_to_ms(now_ticks() - t0);
        fail(r, err, " (StartServiceW)");
        take_status_after_failure(svc, r);
        return;
    }
    ZeroMemory(&s, sizeof s);
    err = wait_for_final(svc, TRUE, deadline, m, r, &s, &seen_at);
    if (err) {
        r->ms = ticks_to_ms(now_ticks() - t0);
        take_status(r, &s);
        r->pid = s.dwProcessId;
        fail(r, err, err == ERROR_TIMEOUT ? " (waiting for RUNNING)" : " (QueryServiceStatusEx)");
        return;
    }
    r->ms = ticks_to_ms(seen_at - t0);
    take_status(r, &s);
    r->pid = s.dwProcessId;
    if (s.dwCurrentState != SERVICE_RUNNING) {
        /* Stopped while starting: its own exit code says why, if it gave one. */
        if (s.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR)
            fail(r, s.dwWin32ExitCode, " (the service stopped while starting; see serviceExitCode)");
        else if (s.dwWin32ExitCode)
            fail(r, s.dwWin32ExitCode, " (the service stopped while starting)");
        else
            fail(r, ERROR_PROCESS_ABORTED, " (the service stopped while starting, exit code 0)");
    }
}

static void do_stop(SC_HANDLE svc, DWORD timeout_ms, enum method m, result_t *r)
{
    SERVICE_STATUS_PROCESS s;
    SERVICE_STATUS ss;
    HANDLE process = NULL;
    LONGLONG t0, seen_at, deadline;
    DWORD err;

    /* Before the clock: which process is to exit. */
    if (query(svc, &s) && s.dwProcessId) {
        r->pid = s.dwProcessId;
        process = OpenProcess(SYNCHRONIZE, FALSE, s.dwProcessId);
    }
    t0 = now_ticks();
    deadline = t0 + ms_to_ticks(timeout_ms);
    if (!ControlService(svc, SERVICE_CONTROL_STOP, &ss)) {
        err = GetLastError();
        r->ms = ticks_to_ms(now_ticks() - t0);
        fail(r, err, " (ControlService STOP)");
        take_status_after_failure(svc, r);
        if (process) CloseHandle(process);
        return;
    }
    if (ss.dwCurrentState == SERVICE_STOPPED) {
        /* The control call's own answer already says STOPPED. */
        seen_at = now_ticks();
        ZeroMemory(&s, sizeof s);
        memcpy(&s, &ss, sizeof ss);
        r->method = "control";
        err = 0;
    } else {
        ZeroMemory(&s, sizeof s);
        err = wait_for_final(svc, FALSE, deadline, m, r, &s, &seen_at);
    }
    take_status(r, &s);
    if (err) {
        r->ms = ticks_to_ms(now_ticks() - t0);
        fail(r, err, err == ERROR_TIMEOUT ? " (waiting for STOPPED)" : " (QueryServiceStatusEx)");
    } else {
        r->ms = ticks_to_ms(seen_at - t0);
        if (process) {
            LONGLONG t = now_ticks();
            DWORD left = t < deadline ? (DWORD)ticks_to_ms(deadline - t) + 1 : 0;
            if (WaitForSingleObject(process, left) == WAIT_OBJECT_0) r->process_exit_ms = ticks_to_ms(now_ticks() - t0);
        }
    }
    if (process) CloseHandle(process);
}

static void do_query(SC_HANDLE svc, result_t *r)
{
    SERVICE_STATUS_PROCESS s;
    LONGLONG t0 = now_ticks();
    BOOL ok = query(svc, &s);
    r->ms = ticks_to_ms(now_ticks() - t0);
    r->method = "query";
    r->polls = 1;
    if (!ok) {
        fail(r, GetLastError(), " (QueryServiceStatusEx)");
        return;
    }
    take_status(r, &s);
    r->pid = s.dwProcessId;
}

static int usage(void)
{
    fprintf(stderr, "usage: scm-timer.exe <out.json> start|stop <ServiceName> [timeoutMs] [auto|notify|poll|spin]\n"
                    "       scm-timer.exe <out.json> query <ServiceName>\n");
    return 2;
}

int wmain(int argc, WCHAR **argv)
{
    result_t r;
    SC_HANDLE scm = NULL, svc = NULL;
    DWORD timeout_ms = 30000, access;
    enum method m = M_AUTO;
    enum op op;

    if (argc < 4) return usage();
    ZeroMemory(&r, sizeof r);
    r.service = argv[3];
    r.ok = TRUE;
    r.method = "none";
    r.process_exit_ms = -1;
    if (!wcscmp(argv[2], L"start")) op = OP_START, r.op = "start";
    else if (!wcscmp(argv[2], L"stop")) op = OP_STOP, r.op = "stop";
    else if (!wcscmp(argv[2], L"query")) op = OP_QUERY, r.op = "query";
    else return usage();
    if (op == OP_QUERY && argc > 4) return usage();
    if (argc > 4) {
        WCHAR *end;
        unsigned long v = wcstoul(argv[4], &end, 10);
        if (*end || !v) return usage();
        timeout_ms = (DWORD)v;
    }
    if (argc > 5) {
        if (!wcscmp(argv[5], L"auto")) m = M_AUTO;
        else if (!wcscmp(argv[5], L"notify")) m = M_NOTIFY;
        else if (!wcscmp(argv[5], L"poll")) m = M_POLL;
        else if (!wcscmp(argv[5], L"spin")) m = M_SPIN;
        else return usage();
    }
    if (argc > 6) return usage();
    QueryPerformanceFrequency(&g_freq);

    access = SERVICE_QUERY_STATUS | (op == OP_START ? SERVICE_START : op == OP_STOP ? SERVICE_STOP : 0);
    if (!(scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT))) fail(&r, GetLastError(), " (OpenSCManagerW)");
    else if (!(svc = OpenServiceW(scm, r.service, access))) fail(&r, GetLastError(), " (OpenServiceW)");
    else if (op == OP_START) do_start(svc, timeout_ms, m, &r);
    else if (op == OP_STOP) do_stop(svc, timeout_ms, m, &r);
    else do_query(svc, &r);

    if (svc) CloseServiceHandle(svc);
    if (scm) CloseServiceHandle(scm);
    if (!write_result(argv[1], &r)) return 3;
    return r.ok ? 0 : 1;
}
