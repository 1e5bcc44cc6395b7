/*
 * wrap-service.exe: a service that hosts an ordinary program the way NSSM and WinSW do, so the
 * benchmarks can measure what "wrapping" costs next to a native service (floor-service.c) and a
 * program that is a service itself (svcpack's output).
 *
 *   sc create <Name> binPath= "<path>\wrap-service.exe <program> [args...]"
 *
 * Start: ServiceMain starts <program> [args...] with CreateProcessW — stdin/stdout/stderr on NUL,
 * no console (DETACHED_PROCESS), in a job object that kills it should the wrapper die — and
 * reports SERVICE_RUNNING as soon as CreateProcessW returns. That is what NSSM and WinSW do: the
 * SCM's RUNNING then means "the program was launched", not "the program is ready".
 *
 * Stop (STOP or SHUTDOWN): the handler reports STOP_PENDING and wakes ServiceMain, which ends the
 * program at once with TerminateJobObject (TerminateProcess if the job could not be used), waits
 * for it to exit, and reports SERVICE_STOPPED with exit code 0. No graceful attempt is made,
 * deliberately:
 *   - a service has no console, and GenerateConsoleCtrlEvent only reaches processes attached to
 *     the caller's console: NSSM has to AttachConsole() to the child's console first, which needs
 *     the child to have one (a visible or hidden conhost per child), and is unreliable under Wine;
 *   - the programs the benchmarks wrap either ignore Ctrl+C/WM_CLOSE (ping) or would make the
 *     stop time depend on the program rather than on the wrapper, and NSSM's defaults wait up to
 *     1.5 s per method the program ignores before escalating to TerminateProcess.
 * So this wrapper's stop time is the lower bound of what an NSSM/WinSW-style wrapper can do.
 *
 * The program ends by itself: the wrapper reports SERVICE_STOPPED with the program's exit code as
 * the service-specific exit code (win32 exit code ERROR_SERVICE_SPECIFIC_ERROR), or with win32
 * exit code 0 when the program exited with 0. CreateProcessW fails: SERVICE_STOPPED with its
 * Win32 error as the win32 exit code.
 *
 * Built by bench/native/build.ts (x86_64-w64-mingw32-gcc -O2 -s -municode -static).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

static SERVICE_STATUS_HANDLE g_handle;
static HANDLE g_stop_event;
static CRITICAL_SECTION g_lock;
static SERVICE_STATUS g_status;
static BOOL g_stopped_reported;
static WCHAR *g_child_command; /* points into GetCommandLineW() */

/* Reports a state. Once STOPPED has been reported nothing else is (a STOP control racing the
 * program's own exit must not turn STOPPED back into STOP_PENDING). */
static void report(DWORD state, DWORD win32_exit_code, DWORD service_exit_code, DWORD wait_hint)
{
    EnterCriticalSection(&g_lock);
    if (!g_stopped_reported) {
        g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
        g_status.dwCurrentState = state;
        g_status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
        g_status.dwWin32ExitCode = win32_exit_code;
        g_status.dwServiceSpecificExitCode = service_exit_code;
        g_status.dwCheckPoint = state == SERVICE_STOP_PENDING ? 1 : 0;
        g_status.dwWaitHint = wait_hint;
        SetServiceStatus(g_handle, &g_status);
        g_stopped_reported = state == SERVICE_STOPPED;
    }
    LeaveCriticalSection(&g_lock);
}

static DWORD WINAPI handler(DWORD control, DWORD event_type, LPVOID event_data, LPVOID context)
{
    (void)event_type;
    (void)event_data;
    (void)context;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        report(SERVICE_STOP_PENDING, NO_ERROR, 0, 5000);
        SetEvent(g_stop_event);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

/* A job that kills its processes when its last handle closes, i.e. when the wrapper exits. */
static HANDLE create_kill_job(void)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (!job) return NULL;
    ZeroMemory(&limits, sizeof limits);
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
        CloseHandle(job);
        return NULL;
    }
    return job;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
    SECURITY_ATTRIBUTES inherit = { sizeof(SECURITY_ATTRIBUTES), NULL, TRUE };
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE nul, job, waits[2];
    DWORD err, exit_code = 0;
    BOOL in_job = FALSE;

    g_stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    g_handle = RegisterServiceCtrlHandlerExW(argc > 0 ? argv[0] : L"", handler, NULL);
    if (!g_handle) return;
    if (!g_stop_event) {
        report(SERVICE_STOPPED, GetLastError(), 0, 0);
        return;
    }

    nul = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                      OPEN_EXISTING, 0, NULL);
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    if (nul != INVALID_HANDLE_VALUE) {
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = si.hStdOutput = si.hStdError = nul;
    }
    job = create_kill_job();
    ZeroMemory(&pi, sizeof pi);
    /* Suspended until it is in the job, so that nothing it starts escapes the job. */
    if (!CreateProcessW(NULL, g_child_command, NULL, NULL, nul != INVALID_HANDLE_VALUE,
                        CREATE_SUSPENDED | DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP, NULL, NULL, &si, &pi)) {
        err = GetLastError();
        if (nul != INVALID_HANDLE_VALUE) CloseHandle(nul);
        if (job) CloseHandle(job);
        report(SERVICE_STOPPED, err, 0, 0);
        return;
    }
    if (nul != INVALID_HANDLE_VALUE) CloseHandle(nul);
    /* Fails where nested jobs are unsupported (services.exe already puts us in a job): then the
     * program is ended with TerminateProcess alone. */
    if (job) in_job = AssignProcessToJobObject(job, pi.hProcess);
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);

    report(SERVICE_RUNNING, NO_ERROR, 0, 0);

    waits[0] = g_stop_event;
    waits[1] = pi.hProcess;
    if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) == WAIT_OBJECT_0 + 1) {
        /* The program ended by itself. */
        GetExitCodeProcess(pi.hProcess, &exit_code);
        CloseHandle(pi.hProcess);
        if (job) CloseHandle(job);
        if (exit_code == 0) report(SERVICE_STOPPED, NO_ERROR, 0, 0);
        else report(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, exit_code, 0);
        return;
    }

    /* STOP or SHUTDOWN (STOP_PENDING already reported by the handler): see the header comment for
     * why there is no graceful attempt. */
    if (!in_job || !TerminateJobObject(job, 0)) TerminateProcess(pi.hProcess, 0);
    WaitForSingleObject(pi.hProcess, 10000);
    CloseHandle(pi.hProcess);
    if (job) CloseHandle(job);
    report(SERVICE_STOPPED, NO_ERROR, 0, 0);
}

/* The command line after the wrapper's own path, exactly as the SCM passed it (quoting kept).
 * argv[0] ends at the closing quote if it starts with one, else at the first blank — the rule
 * CommandLineToArgvW applies to the program name. */
static WCHAR *skip_program_name(WCHAR *p)
{
    if (*p == L'"') {
        ++p;
        while (*p && *p != L'"') ++p;
        if (*p == L'"') ++p;
    } else {
        while (*p && *p != L' ' && *p != L'\t') ++p;
    }
    while (*p == L' ' || *p == L'\t') ++p;
    return p;
}

int wmain(int argc, WCHAR **argv)
{
    static WCHAR name[] = L"WrapService";
    SERVICE_TABLE_ENTRYW table[] = { { name, service_main }, { NULL, NULL } };
    DWORD err;
    (void)argv;

    g_child_command = skip_program_name(GetCommandLineW());
    if (argc < 2 || !*g_child_command) {
        static const char usage[] = "usage (as a service): wrap-service.exe <program> [args...]\r\n";
        DWORD written;
        WriteFile(GetStdHandle(STD_ERROR_HANDLE), usage, sizeof usage - 1, &written, NULL);
        return 2;
    }
    InitializeCriticalSection(&g_lock);
    if (!StartServiceCtrlDispatcherW(table)) {
        /* ERROR_FAILED_SERVICE_CONTROLLER_CONNECT (1063): started outside the SCM. */
        err = GetLastError();
        return (int)err;
    }
    return 0;
}
