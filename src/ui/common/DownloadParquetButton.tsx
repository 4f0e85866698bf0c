// "Download Parquet": the file is written in a worker (see
// warehouse/exportParquet.ts) and handed to the browser as a download.

import { useMutation } from '@tanstack/react-query';

import type { ParquetExport } from '../../warehouse/exportParquet';

function saveFile({ file, fileName }: ParquetExport): void {
  const url = URL.createObjectURL(file);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The browser has started reading the file by the time this runs.
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 60_000);
}

export function DownloadParquetButton({
  write,
  disabled = false,
}: {
  write: () => Promise<ParquetExport>;
  disabled?: boolean;
}) {
  const download = useMutation({ mutationFn: write, onSuccess: saveFile });
  return (
    <span className="download">
      <button
        type="button"
        onClick={() => {
          download.mutate();
        }}
        disabled={disabled || download.isPending}
      >
        Download Parquet
      </button>
      {download.isPending && (
        <span className="muted" aria-live="polite">
          Writing Parquet…
        </span>
      )}
      {download.error && (
        <span role="alert" className="error-text">
          {download.error.message}
        </span>
      )}
    </span>
  );
}
