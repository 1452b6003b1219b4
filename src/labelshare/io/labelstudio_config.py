"""The Label Studio labelling config that matches an export.

Label Studio needs a project whose config names the control ``label`` and the object
the regions point at (see ``labelstudio_results``) before it accepts the exported
tasks; this builds that config from the schema.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from labelshare.io.labelstudio_results import CONTROL_NAME
from labelshare.schema import (
    BboxSchema,
    ClassificationSchema,
    LabelSchema,
    MultilabelSchema,
    RatingSchema,
    SpansSchema,
    TextSchema,
)

# Characters XML 1.0 cannot hold at all, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _attribute(text: str) -> str:
    if _NOT_XML.search(text):
        raise ValueError(f"{text!r} holds a character a Label Studio (XML) config cannot hold")
    return quoteattr(text)


def labelstudio_config(schema: LabelSchema, *, data_key: str = "text") -> str:
    """Build the Label Studio labelling config (XML) for a schema.

    Args:
        schema: the project's schema.
        data_key: the payload key shown to annotators for kinds that do not fix it
            (classification, multilabel, rating, text); ``"image"`` shows the image.
            Boxes always show ``image`` and spans the schema's text field.

    Returns:
        The ``<View>...</View>`` config text.

    Raises:
        ValueError: the kind has no Label Studio form, or a class or tag name holds a
            control character XML cannot hold.
    """
    if isinstance(schema, SpansSchema):
        target, shown = schema.text_field, schema.text_field
    elif isinstance(schema, BboxSchema) or data_key == "image":
        target, shown = "image", "image"
    else:
        target, shown = "text", data_key
    object_tag = "Image" if target == "image" else "Text"
    view = [f"  <{object_tag} name={_attribute(target)} value={_attribute('$' + shown)}/>"]
    control = f"name={_attribute(CONTROL_NAME)} toName={_attribute(target)}"
    if isinstance(schema, ClassificationSchema | MultilabelSchema):
        choice = "single" if isinstance(schema, ClassificationSchema) else "multiple"
        view.append(f"  <Choices {control} choice={_attribute(choice)}>")
        view += [f"    <Choice value={_attribute(name)}/>" for name in schema.classes]
        view.append("  </Choices>")
    elif isinstance(schema, RatingSchema):
        view.append(f"  <Rating {control} maxRating={_attribute(str(schema.max_rating))}/>")
    elif isinstance(schema, TextSchema):
        view.append(f"  <TextArea {control} maxSubmissions={_attribute('1')}/>")
    elif isinstance(schema, SpansSchema | BboxSchema):
        tag = "Labels" if isinstance(schema, SpansSchema) else "RectangleLabels"
        names = schema.tags if isinstance(schema, SpansSchema) else schema.classes
        view.append(f"  <{tag} {control}>")
        view += [f"    <Label value={_attribute(name)}/>" for name in names]
        view.append(f"  </{tag}>")
    else:
        raise ValueError(f"kind {schema.kind!r} has no Label Studio form")
    return "<View>\n" + "\n".join(view) + "\n</View>\n"
