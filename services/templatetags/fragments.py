"""``{% cachedfragment "name" [vary_on …] %}…{% endcachedfragment %}``: a part of a
public page cached until the catalog changes (see services/caching.py).

The key always holds the catalog version, the code stamp and the active language; add
everything else the fragment's output depends on as ``vary_on`` values (an item code,
``request.GET.urlencode``, the elder mode). Never put user-, session- or time-dependent
output (``{% csrf_token %}``, ``user``, messages) inside.
"""

from django import template
from django.template.base import FilterExpression, Node, NodeList

from ..caching import cache_get, cache_set, catalog_version, fragment_key

register = template.Library()


class CachedFragmentNode(Node):
    def __init__(
        self,
        nodelist: NodeList,
        name: FilterExpression,
        vary_on: list[FilterExpression],
    ):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context: template.Context) -> str:
        version = catalog_version(context.get("request"))
        key = fragment_key(
            str(self.name.resolve(context)),
            [value.resolve(context) for value in self.vary_on],
            version=version,
        )
        content = cache_get(key)
        if content is None:
            content = self.nodelist.render(context)
            cache_set(key, content)
        return content


@register.tag("cachedfragment")
def do_cachedfragment(parser, token) -> CachedFragmentNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' needs a fragment name: {{% {bits[0]} \"name\" [vary_on …] %}}"
        )
    nodelist = parser.parse(("endcachedfragment",))
    parser.delete_first_token()
    return CachedFragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        [parser.compile_filter(bit) for bit in bits[2:]],
    )
