import { KeyboardCode, type KeyboardCoordinateGetter } from "@dnd-kit/core";
import { sortableKeyboardCoordinates } from "@dnd-kit/sortable";
import { DONE, QUEUED } from "./boardColumns";

const isColumnId = (id: unknown) =>
  typeof id === "string" && (id === QUEUED || id === DONE || id.startsWith("phase:"));

/**
 * Keyboard dragging on the board: up and down move within a column (dnd-kit's sortable
 * rules); left and right jump to the next column, landing at its top, so a card can be
 * sent back to an earlier phase without a mouse.
 */
export const boardKeyboardCoordinates: KeyboardCoordinateGetter = (event, args) => {
  if (event.code !== KeyboardCode.Left && event.code !== KeyboardCode.Right) {
    return sortableKeyboardCoordinates(event, args);
  }
  event.preventDefault();
  const { active, activeNode, collisionRect, droppableRects, droppableContainers } = args.context;
  // Right after the drag starts dnd-kit may not have measured yet: a key pressed that
  // soon still moves, measured from the DOM.
  const from = collisionRect ?? (active ? activeNode?.getBoundingClientRect() : undefined);
  if (!from) return undefined;
  const center = from.left + from.width / 2;
  const columns = droppableContainers
    .getEnabled()
    .filter((container) => isColumnId(container.id))
    .map((container) => ({
      id: container.id,
      rect: droppableRects.get(container.id) ?? container.node.current?.getBoundingClientRect(),
    }))
    .filter((column): column is { id: string; rect: NonNullable<typeof column.rect> } =>
      Boolean(column.rect),
    )
    .sort((a, b) => a.rect.left - b.rect.left);
  const target =
    event.code === KeyboardCode.Left
      ? [...columns].reverse().find((column) => column.rect.left + column.rect.width < center)
      : columns.find((column) => column.rect.left > center);
  if (!target) return undefined;
  return { x: target.rect.left + 8, y: target.rect.top + 8 };
};
