/*
 * floor-service.exe: the smallest Windows service there is — the "floor" any service costs on a
 * given Service Control Manager. The benchmarks time its start and stop (bench/native/scm-timer.c)
 * and compare every other contender against it.
 *
 *   main         → StartServiceCtrlDispatcherW (blocks for the life of the service)
 *   ServiceMain  → RegisterServiceCtrlHandlerExW, report RUNNING at once (accepting STOP and
 *                  SHUTDOWN), wait on an event
 *   HandlerEx    → on STOP/SHUTDOWN report STOP_PENDING and set the event
 *   ServiceMain  → report STOPPED (exit code 0) and return; the dispatcher returns; main exits 0.
 *
 * Deliberately nothing else: no heap allocation, no CRT calls on the service path, no threads of
 * its own. Register with `sc create <Name> binPath= "<path>\floor-service.exe"`.
 *
 * Built by bench/native/build.ts (x86_64-w64-mingw32-gcc -O2 -s -municode -static).
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>

static SERVICE_STATUS_HANDLE g_handle;
static HANDLE g_stop_event;
static SERVICE_STATUS g_status;

static void report(DWORD state, DWORD win32_exit_code, DWORD wait_hint)
{
    g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    g_status.dwCurrentState = state;
    g_status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    g_status.dwWin32ExitCode = win32_exit_code;
    g_status.dwServiceSpecificExitCode = 0;
    g_status.dwCheckPoint = state == SERVICE_STOP_PENDING ? 1 : 0;
    g_status.dwWaitHint = wait_hint;
    SetServiceStatus(g_handle, &g_status);
}

static DWORD WINAPI handler(DWORD control, DWORD event_type, LPVOID event_data, LPVOID context)
{
    (void)event_type;
    (void)event_data;
    (void)context;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        report(SERVICE_STOP_PENDING, NO_ERROR, 3000);
        SetEvent(g_stop_event);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
    /* The event exists before the handler can be called. */
    g_stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    g_handle = RegisterServiceCtrlHandlerExW(argc > 0 ? argv[0] : L"", handler, NULL);
    if (!g_handle) return;
    if (!g_stop_event) {
        report(SERVICE_STOPPED, GetLastError(), 0);
        return;
    }
    report(SERVICE_RUNNING, NO_ERROR, 0);
    WaitForSingleObject(g_stop_event, INFINITE);
    report(SERVICE_STOPPED, NO_ERROR, 0);
}

int wmain(void)
{
    /* For an own-process service the SCM ignores the name in the table. */
    static WCHAR name[] = L"FloorService";
    SERVICE_TABLE_ENTRYW table[] = { { name, service_main }, { NULL, NULL } };
    if (!StartServiceCtrlDispatcherW(table)) {
        /* ERROR_FAILED_SERVICE_CONTROLLER_CONNECT (1063): started outside the SCM. */
        return (int)GetLastError();
    }
    return 0;
}
