"""``{% chrome vary_on… %}…{% endchrome %}``: a part of the page frame (header, nav,
footer, a blank form) rendered once per process for each language, script prefix and
``vary_on`` values, then reused.

For markup that depends on nothing else: the templates, the translations, URL
reversal and static file names, all fixed for the life of a process. Never put a
``{% csrf_token %}``, ``user``, ``request.get_full_path``, messages, catalog data or
anything that changes with the time of day inside; name as ``vary_on`` every other
value the output depends on (the elder mode, the section for ``aria-current``).

The copies live on the template node itself: with the cached template loader (also
used in development since Django 4.1) a node lives as long as its template, and a
template parsed again (a changed file in development) starts with no copies, so a
copy can never outlive the markup it came from.
"""

from django import template
from django.template.base import FilterExpression, Node, NodeList
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix
from django.utils import translation

register = template.Library()

# A vary_on value with many possible values would only make the copies grow: past this
# many per node they are dropped and rendered again.
MAX_COPIES = 256


class ChromeNode(Node):
    # Not walked by ``get_nodes_by_type``: ``{% extends %}`` looks for the parent's
    # blocks through the whole tree on every rendering, and none may be in here
    # (``do_chrome`` refuses one).
    child_nodelists = ()

    def __init__(self, nodelist: NodeList, vary_on: list[FilterExpression]):
        self.nodelist, self.vary_on = nodelist, vary_on
        self.copies: dict[tuple, str] = {}

    def render(self, context: template.Context) -> str:
        key = (
            translation.get_language(),
            get_script_prefix(),
            *(value.resolve(context) for value in self.vary_on),
        )
        content = self.copies.get(key)
        if content is None:
            content = self.nodelist.render(context)
            if len(self.copies) >= MAX_COPIES:
                self.copies.clear()
            self.copies[key] = content
        return content


@register.tag("chrome")
def do_chrome(parser, token) -> ChromeNode:
    bits = token.split_contents()
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' cannot hold a {{% block %}}: a child template's block "
            "would be rendered once for all pages"
        )
    return ChromeNode(nodelist, [parser.compile_filter(bit) for bit in bits[1:]])
