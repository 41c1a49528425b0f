/**
 * Why a bundled client's verdict changes between ComfyUI profiles: one note per cause and client,
 * each confirmed by replaying the scenario alone on that profile (a flip that did not reproduce is
 * a `noise` note, with why our bound let it flip). The client's file and line are from the
 * installed package (clients/third-party/<x>/node_modules, or .tools/venv's site-packages).
 * A difference of the card that no note explains is listed as "Not yet explained".
 */
import type { VersionNote } from './version-changes.ts';

export const versionNotes: readonly VersionNote[] = [];
