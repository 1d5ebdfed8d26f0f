import type { FileType } from "@phaseboard/contracts";

const CODE_EXTENSIONS = new Set([
  "ts",
  "tsx",
  "js",
  "jsx",
  "mjs",
  "cjs",
  "py",
  "rb",
  "go",
  "rs",
  "java",
  "kt",
  "c",
  "h",
  "cc",
  "cpp",
  "hpp",
  "cs",
  "swift",
  "sh",
  "bash",
  "sql",
  "json",
  "yaml",
  "yml",
  "toml",
  "css",
  "scss",
  "html",
  "xml",
  "diff",
  "patch",
]);
const DOCUMENT_EXTENSIONS = new Set([
  "md",
  "txt",
  "pdf",
  "doc",
  "docx",
  "odt",
  "rtf",
  "csv",
  "log",
]);

/** What the board should preview: from the sniffed MIME type, then the extension. */
export function inferFileType(mimeType: string, fileName: string): FileType {
  if (mimeType.startsWith("image/")) return "image";
  if (mimeType.startsWith("video/")) return "video";
  if (mimeType === "application/pdf") return "document";
  const extension = fileName.includes(".") ? fileName.split(".").pop()?.toLowerCase() : undefined;
  if (extension && CODE_EXTENSIONS.has(extension)) return "code";
  if (extension && DOCUMENT_EXTENSIONS.has(extension)) return "document";
  if (mimeType.startsWith("text/")) return "document";
  return "other";
}
