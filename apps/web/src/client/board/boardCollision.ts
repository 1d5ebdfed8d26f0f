import { type CollisionDetection, closestCorners, pointerWithin } from "@dnd-kit/core";

/** Drop targets in the middle of each card: dropping a card there links the two. */
export const LINK_DROP_PREFIX = "link:";

/** The run a drop target links to, if it is a card's link zone. */
export function linkTargetOf(overId: string | undefined): string | undefined {
  return overId?.startsWith(LINK_DROP_PREFIX) ? overId.slice(LINK_DROP_PREFIX.length) : undefined;
}

/**
 * A pointer inside another card's middle means "link"; anywhere else the board's usual
 * rule (closest corners of cards and columns) decides a reorder or a phase move. Only the
 * pointer can link: a keyboard drag has no pointer and never lands on a link zone (the
 * card's menu has "Start after…" for it).
 */
export const boardCollision: CollisionDetection = (args) => {
  const self = `${LINK_DROP_PREFIX}${String(args.active.id)}`;
  const linkZones = args.droppableContainers.filter(
    (container) => String(container.id).startsWith(LINK_DROP_PREFIX) && container.id !== self,
  );
  const onLink = pointerWithin({ ...args, droppableContainers: linkZones });
  if (onLink.length > 0) return onLink.slice(0, 1);
  return closestCorners({
    ...args,
    droppableContainers: args.droppableContainers.filter(
      (container) => !String(container.id).startsWith(LINK_DROP_PREFIX),
    ),
  });
};
