import type { IconButtonProps } from "@rjsf/utils";
import { ArrowDown, ArrowUp, Copy, Plus, X } from "lucide-react";
import type { ComponentType } from "react";

/**
 * The JSON-Schema form's buttons in the board's style: an icon with its name beside it
 * (or as its accessible name), instead of @rjsf/core's Bootstrap glyph classes, which the
 * board does not load and so render as blank pills.
 */
function formButton(Icon: ComponentType<{ className?: string }>, label: string, withText = false) {
  return function FormButton({
    icon: _icon,
    iconType,
    uiSchema: _ui,
    registry: _r,
    className: _c,
    title,
    ...props
  }: IconButtonProps) {
    const name = title ?? label;
    return (
      <button
        type="button"
        {...props}
        aria-label={name}
        title={name}
        className={`inline-flex items-center gap-1 rounded-md border border-line-strong bg-surface px-2 py-1 text-xs font-medium hover:bg-sunken disabled:opacity-40 ${
          iconType === "danger" ? "text-danger" : "text-ink"
        }`}
      >
        <Icon aria-hidden className="size-3.5" />
        {withText ? name : null}
      </button>
    );
  };
}

export const formButtonTemplates = {
  AddButton: formButton(Plus, "Add item", true),
  CopyButton: formButton(Copy, "Copy"),
  MoveDownButton: formButton(ArrowDown, "Move down"),
  MoveUpButton: formButton(ArrowUp, "Move up"),
  RemoveButton: formButton(X, "Remove"),
  ClearButton: formButton(X, "Clear"),
};

/**
 * A list of choices (an array of enum strings) shows as labelled checkboxes; everything
 * else keeps the form's default widget.
 */
export function argsUiSchema(schema: {
  properties?: Record<string, { type?: unknown; items?: { enum?: unknown } }>;
}): Record<string, unknown> {
  const ui: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.type === "array" && Array.isArray(property.items?.enum)) {
      ui[name] = { "ui:widget": "checkboxes" };
    }
  }
  return ui;
}
