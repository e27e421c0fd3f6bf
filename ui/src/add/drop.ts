// Repository references arriving without the field: dropped on the window or pasted with Ctrl/Cmd+V
// while no text field has focus. Both end in the same call as the field's button.
import { isTextTarget } from "../lib/dom";
import { anyModalOpen } from "../lib/modal";

type DataSource = Pick<DataTransfer, "getData">;

/**
 * The first reference a drop or a paste carries. `text/uri-list` wins (one URI a line, `#` lines are
 * comments); otherwise the first non-blank line of `text/plain`, which also covers `org/name` typed
 * somewhere else and Linux sources that offer only plain text.
 */
export function referenceFromData(data: DataSource | null | undefined): string | null {
  if (!data) return null;
  const firstLine = (text: string, skipComments: boolean) =>
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line !== "" && !(skipComments && line.startsWith("#"))) ?? null;
  const uris = safeGet(data, "text/uri-list");
  const fromUris = uris ? firstLine(uris, true) : null;
  if (fromUris) return fromUris;
  const plain = safeGet(data, "text/plain");
  return plain ? firstLine(plain, false) : null;
}

function safeGet(data: DataSource, type: string): string {
  try {
    return data.getData(type) ?? "";
  } catch {
    // Some engines throw for types the source does not offer.
    return "";
  }
}

/** Listens for drops and pastes anywhere on the page; returns a function that stops listening. */
export function wireDropAndPaste(doc: Document, onReference: (reference: string) => void): () => void {
  const body = doc.body;
  let depth = 0;

  // WebKit fires `paste` only where text could go. Ctrl/Cmd+V aimed at the page moves the focus to
  // this off-screen field for the one keystroke, so the paste lands somewhere and comes back to us.
  const catcher = doc.createElement("textarea");
  catcher.className = "paste-catcher";
  catcher.tabIndex = -1;
  catcher.setAttribute("aria-hidden", "true");
  body.appendChild(catcher);
  let returnFocus: HTMLElement | null = null;
  const release = () => {
    catcher.value = "";
    if (doc.activeElement === catcher) {
      if (returnFocus?.isConnected) returnFocus.focus();
      else catcher.blur();
    }
    returnFocus = null;
  };
  const keyDown = (ev: KeyboardEvent) => {
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.key.toLowerCase() !== "v") return;
    if (isTextTarget(ev.target) || anyModalOpen(doc)) return;
    returnFocus = doc.activeElement instanceof HTMLElement && doc.activeElement !== body ? doc.activeElement : null;
    catcher.focus();
    // If no paste follows (empty clipboard), give the focus back anyway.
    setTimeout(release, 300);
  };

  const dragOver = (ev: DragEvent) => {
    // Without preventDefault the webview refuses the drop.
    ev.preventDefault();
    if (ev.dataTransfer) ev.dataTransfer.dropEffect = "copy";
  };
  const dragEnter = (ev: DragEvent) => {
    ev.preventDefault();
    depth++;
    if (!anyModalOpen(doc)) body.classList.add("drop-target");
  };
  const dragLeave = () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) body.classList.remove("drop-target");
  };
  const drop = (ev: DragEvent) => {
    ev.preventDefault();
    depth = 0;
    body.classList.remove("drop-target");
    if (anyModalOpen(doc)) return;
    const reference = referenceFromData(ev.dataTransfer);
    if (reference) onReference(reference);
  };
  const paste = (ev: ClipboardEvent) => {
    const caught = ev.target === catcher;
    // Pasting into a field is just typing; only a paste aimed at the page itself adds a repository.
    if (!caught && (isTextTarget(ev.target) || isTextTarget(doc.activeElement))) return;
    if (caught) release();
    if (anyModalOpen(doc)) return;
    const reference = referenceFromData(ev.clipboardData);
    if (!reference) return;
    ev.preventDefault();
    onReference(reference);
  };

  doc.addEventListener("dragover", dragOver);
  doc.addEventListener("dragenter", dragEnter);
  doc.addEventListener("dragleave", dragLeave);
  doc.addEventListener("drop", drop);
  doc.addEventListener("paste", paste);
  doc.addEventListener("keydown", keyDown);
  return () => {
    doc.removeEventListener("keydown", keyDown);
    catcher.remove();
    doc.removeEventListener("dragover", dragOver);
    doc.removeEventListener("dragenter", dragEnter);
    doc.removeEventListener("dragleave", dragLeave);
    doc.removeEventListener("drop", drop);
    doc.removeEventListener("paste", paste);
  };
}
