import { posix } from 'node:path';
import { FileStoreError } from '../files/file-store.ts';

/**
 * An exception a node raises in ComfyUI, with the Python type ComfyUI reports for it
 * (`exception_type` in `execution_error`). Thrown inside a prompt's execution it fails that prompt
 * and nothing else; it is ComfyUI's behaviour, not a fault of the simulator.
 */
export class NodeException extends Error {
  override name = 'NodeException';
  constructor(
    /** As ComfyUI's `full_type_name`: builtins bare (`Exception`, `OSError`), others with their module. */
    readonly pythonType: string,
    message: string,
  ) {
    super(message);
  }
}

/** Where the simulated ComfyUI keeps its outputs, for messages that name absolute paths. */
const OUTPUT_DIR = '/ComfyUI/output';

/**
 * The file store's refusals as SaveImage raises them in ComfyUI: `get_save_image_path` raises a
 * plain `Exception` for a prefix whose folder is outside the output folder (folder_paths.py), and
 * a full disk is an `OSError` (ENOSPC). Other errors pass through unchanged.
 */
export function asSaveException(error: unknown, filenamePrefix: string): unknown {
  if (!(error instanceof FileStoreError)) return error;
  if (error.code === 'CC_ERR_FILE_STORE_FULL') return new NodeException('OSError', `[Errno 28] No space left on device (${error.message})`);
  if (error.code !== 'CC_ERR_FILE_PATH') return error;
  const normalised = posix.normalize(filenamePrefix === '' ? '.' : filenamePrefix);
  const fullOutputFolder = posix.resolve(OUTPUT_DIR, posix.dirname(normalised));
  const common = commonPath(OUTPUT_DIR, fullOutputFolder);
  return new NodeException(
    'Exception',
    '**** ERROR: Saving image outside the output folder is not allowed.' +
      `\n full_output_folder: ${fullOutputFolder}\n         output_dir: ${OUTPUT_DIR}\n         commonpath: ${common}`,
  );
}

function commonPath(a: string, b: string): string {
  const pa = a.split('/');
  const pb = b.split('/');
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.slice(0, i).join('/') || '/';
}
