import { type RefObject, useLayoutEffect, useState } from "react";
import type { RunLinks } from "./runLinks";

/** Orange: what the focused card waits for; blue: what waits for it (the cards' rings match). */
const ARROW_COLOURS = { prerequisite: "#fb923c", dependent: "#38bdf8" } as const;

interface Arrow {
  key: string;
  d: string;
  kind: "prerequisite" | "dependent";
}

/**
 * Draws the focused card's links over the board: an arrow from each run it waits for to
 * it, and from it to each run waiting for it. Positions are read from the cards on screen
 * when the focus changes; a card scrolled out of its column's view has no arrow.
 */
export function DependencyArrows({
  containerRef,
  focusedId,
  links,
}: {
  containerRef: RefObject<HTMLElement | null>;
  focusedId: string | null;
  links: RunLinks | undefined;
}) {
  const [arrows, setArrows] = useState<Arrow[]>([]);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const container = containerRef.current;
    if (!container || !focusedId || !links) {
      setArrows([]);
      return;
    }
    const origin = container.getBoundingClientRect();
    const rectOf = (id: string) => {
      const card = container.querySelector(`article[data-run-id="${CSS.escape(id)}"]`);
      if (!card) return undefined;
      const r = card.getBoundingClientRect();
      return {
        left: r.left - origin.left + container.scrollLeft,
        right: r.right - origin.left + container.scrollLeft,
        top: r.top - origin.top + container.scrollTop,
        mid: r.top - origin.top + container.scrollTop + r.height / 2,
      };
    };
    const curve = (fromId: string, toId: string) => {
      const from = rectOf(fromId);
      const to = rectOf(toId);
      if (!from || !to) return undefined;
      // Leave from the side facing the other card; a card in the same column loops out right.
      const sameColumn = Math.abs(from.left - to.left) < 4;
      const x1 = sameColumn || from.right <= to.left ? from.right : from.left;
      const x2 = sameColumn ? to.right : from.right <= to.left ? to.left : to.right;
      const bend = sameColumn ? 40 : (x2 - x1) / 2;
      return `M ${x1} ${from.mid} C ${x1 + bend} ${from.mid}, ${x2 - (sameColumn ? -40 : bend)} ${to.mid}, ${x2} ${to.mid}`;
    };
    const next: Arrow[] = [];
    for (const p of links.prerequisites) {
      const d = curve(p.id, focusedId);
      if (d) next.push({ key: `p-${p.id}`, d, kind: "prerequisite" });
    }
    for (const dep of links.dependents) {
      const d = curve(focusedId, dep.id);
      if (d) next.push({ key: `d-${dep.id}`, d, kind: "dependent" });
    }
    setSize({ width: container.scrollWidth, height: container.scrollHeight });
    setArrows(next);
  }, [containerRef, focusedId, links]);
  if (arrows.length === 0) return null;
  return (
    <svg
      aria-hidden
      className="pointer-events-none absolute top-0 left-0 z-20"
      width={size.width}
      height={size.height}
      data-dependency-arrows={arrows.length}
    >
      <defs>
        {Object.entries(ARROW_COLOURS).map(([kind, colour]) => (
          <marker
            key={kind}
            id={`dependency-arrow-${kind}`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill={colour} />
          </marker>
        ))}
      </defs>
      {arrows.map((arrow) => (
        <path
          key={arrow.key}
          d={arrow.d}
          fill="none"
          strokeWidth={2}
          strokeDasharray={arrow.kind === "prerequisite" ? undefined : "5 4"}
          stroke={ARROW_COLOURS[arrow.kind]}
          markerEnd={`url(#dependency-arrow-${arrow.kind})`}
        />
      ))}
    </svg>
  );
}
