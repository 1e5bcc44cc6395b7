/**
 * The service object's DACL for the `allowControl` setting, as SDDL (pure). The user names
 * accounts; install looks up their SIDs and applies `serviceDacl(sids)` with
 * SetServiceObjectSecurity(DACL_SECURITY_INFORMATION): the owner, group and SACL stay as the SCM
 * made them.
 *
 * Service access rights in SDDL's letters (the directory-service names the SDDL grammar reuses):
 * CC SERVICE_QUERY_CONFIG, DC SERVICE_CHANGE_CONFIG, LC SERVICE_QUERY_STATUS, SW
 * SERVICE_ENUMERATE_DEPENDENTS, RP SERVICE_START, WP SERVICE_STOP, DT SERVICE_PAUSE_CONTINUE,
 * LO SERVICE_INTERROGATE, CR SERVICE_USER_DEFINED_CONTROL, SD DELETE, RC READ_CONTROL, WD WRITE_DAC,
 * WO WRITE_OWNER.
 */

/**
 * The DACL Windows gives a service CreateServiceW creates (`sc sdshow` of a fresh service, SACL
 * left out): SYSTEM may query, start, stop, pause and control it; Administrators have full
 * control; interactive users (IU) and service logons (SU) may only query it and read its
 * security. `allowControl: []` restores exactly this.
 */
export const DEFAULT_SERVICE_DACL =
  'D:(A;;CCLCSWRPWPDTLOCRRC;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;;CCLCSWLOCRRC;;;IU)(A;;CCLCSWLOCRRC;;;SU)';

/**
 * What `allowControl` grants (0x201FD): query configuration and status, enumerate dependents,
 * start, stop, pause/continue (also what SERVICE_CONTROL_PARAMCHANGE needs), interrogate, user
 * controls 128-255, read the security descriptor. The same rights SYSTEM has by default; never
 * change the configuration, delete, or change the security.
 */
export const CONTROL_RIGHTS = 'CCLCSWRPWPDTLOCRRC';

const SID = /^S-1-(?:\d+|0x[0-9a-f]{12})(?:-\d+)+$/i;

/**
 * `DEFAULT_SERVICE_DACL` plus one allow entry with `CONTROL_RIGHTS` per SID (`S-1-…` strings), in
 * the order given, each SID once (compared without case). Throws on anything that is not a SID
 * string, so no name or SDDL fragment ever reaches the descriptor.
 */
export function serviceDacl(sids: readonly string[]): string {
  const seen = new Set<string>();
  let dacl = DEFAULT_SERVICE_DACL;
  for (const sid of sids) {
    if (!SID.test(sid)) throw new Error(`not a SID string: ${JSON.stringify(sid)}`);
    const key = sid.toUpperCase();
    if (seen.has(key)) continue;
    seen.add(key);
    dacl += `(A;;${CONTROL_RIGHTS};;;${sid})`;
  }
  return dacl;
}
