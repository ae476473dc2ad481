"""Which platform a report belongs to against the platform of the store it is loaded for.

A JD export dropped into a Tmall store's folder loads (the operator may know better), with
a warning that names both, so that a misplaced file never passes unseen.
"""

from __future__ import annotations

from opsboard.i18n import N_, _

#: A platform as configured for a store, or as a report format names it -> its family.
#: 阿里妈妈's reports (万相台, 直通车, 引力魔方, 淘宝客) belong to Taobao/Tmall stores.
_FAMILY = {
    "taobao": "taobao",
    "tmall": "taobao",
    "alimama": "taobao",
    "jd": "jd",
    "pdd": "pdd",
    "pinduoduo": "pdd",
    "amazon": "amazon",
    "shopify": "shopify",
    "google": "google",
    "google_ads": "google",
}
_NAMES = {
    "taobao": N_("Taobao/Tmall"),
    "jd": N_("JD"),
    "pdd": N_("Pinduoduo"),
    "amazon": "Amazon",
    "shopify": "Shopify",
    "google": "Google Ads",
}


def platform_mismatch(store: str, store_platform: str, report_platform: str) -> str | None:
    """Why a report of ``report_platform`` looks misplaced in ``store`` (configured on
    ``store_platform``), or None. Google Ads reports fit any store (any store advertises
    on Google); a store configured as ``other``, or a format of no platform, fits all."""
    own = _FAMILY.get(store_platform)
    report = _FAMILY.get(report_platform)
    if own is None or report is None or report in (own, "google"):
        return None
    return _(
        "a {report} report loaded for {store}, a {own} store: check that it "
        "belongs here (if not, load it for its own store: --store NAME, or that store's drop "
        "folder)"
    ).format(report=_(_NAMES[report]), store=store, own=_(_NAMES[own]))
