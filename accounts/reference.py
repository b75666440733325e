"""Reference organisations in Wales: the 7 Regional Partnership Boards, 7 health boards and
22 local authorities, with their Welsh names and official codes.

Codes: local authorities use ONS GSS codes (W06…), health boards NHS Wales ODS codes (7A…),
regions our own (RPB-…). Plain data, so migrations can load it without importing models.
"""

REGIONS = [
    # code, English, Welsh
    ("RPB-NW", "North Wales Regional Partnership Board", "Bwrdd Partneriaeth Rhanbarthol Gogledd Cymru"),
    ("RPB-WW", "West Wales Regional Partnership Board", "Bwrdd Partneriaeth Rhanbarthol Gorllewin Cymru"),
    ("RPB-WG", "West Glamorgan Regional Partnership Board", "Bwrdd Partneriaeth Rhanbarthol Gorllewin Morgannwg"),
    ("RPB-CTM", "Cwm Taf Morgannwg Regional Partnership Board", "Bwrdd Partneriaeth Rhanbarthol Cwm Taf Morgannwg"),
    ("RPB-CV", "Cardiff and Vale Regional Partnership Board", "Bwrdd Partneriaeth Rhanbarthol Caerdydd a'r Fro"),
    ("RPB-GW", "Gwent Regional Partnership Board", "Bwrdd Partneriaeth Rhanbarthol Gwent"),
    ("RPB-PO", "Powys Regional Partnership Board", "Bwrdd Partneriaeth Rhanbarthol Powys"),
]

HEALTH_BOARDS = [
    # code, English, Welsh, region
    ("7A1", "Betsi Cadwaladr University Health Board CAMHS", "CAMHS Bwrdd Iechyd Prifysgol Betsi Cadwaladr", "RPB-NW"),
    ("7A2", "Hywel Dda University Health Board CAMHS", "CAMHS Bwrdd Iechyd Prifysgol Hywel Dda", "RPB-WW"),
    ("7A3", "Swansea Bay University Health Board CAMHS", "CAMHS Bwrdd Iechyd Prifysgol Bae Abertawe", "RPB-WG"),
    (
        "7A4",
        "Cardiff and Vale University Health Board CAMHS",
        "CAMHS Bwrdd Iechyd Prifysgol Caerdydd a'r Fro",
        "RPB-CV",
    ),
    (
        "7A5",
        "Cwm Taf Morgannwg University Health Board CAMHS",
        "CAMHS Bwrdd Iechyd Prifysgol Cwm Taf Morgannwg",
        "RPB-CTM",
    ),
    ("7A6", "Aneurin Bevan University Health Board CAMHS", "CAMHS Bwrdd Iechyd Prifysgol Aneurin Bevan", "RPB-GW"),
    ("7A7", "Powys Teaching Health Board CAMHS", "CAMHS Bwrdd Iechyd Addysgu Powys", "RPB-PO"),
]

LOCAL_AUTHORITIES = [
    # code, English, Welsh, region
    ("W06000001", "Isle of Anglesey County Council", "Cyngor Sir Ynys Môn", "RPB-NW"),
    ("W06000002", "Gwynedd Council", "Cyngor Gwynedd", "RPB-NW"),
    ("W06000003", "Conwy County Borough Council", "Cyngor Bwrdeistref Sirol Conwy", "RPB-NW"),
    ("W06000004", "Denbighshire County Council", "Cyngor Sir Ddinbych", "RPB-NW"),
    ("W06000005", "Flintshire County Council", "Cyngor Sir y Fflint", "RPB-NW"),
    ("W06000006", "Wrexham County Borough Council", "Cyngor Bwrdeistref Sirol Wrecsam", "RPB-NW"),
    ("W06000008", "Ceredigion County Council", "Cyngor Sir Ceredigion", "RPB-WW"),
    ("W06000009", "Pembrokeshire County Council", "Cyngor Sir Penfro", "RPB-WW"),
    ("W06000010", "Carmarthenshire County Council", "Cyngor Sir Gâr", "RPB-WW"),
    ("W06000011", "City and County of Swansea", "Dinas a Sir Abertawe", "RPB-WG"),
    (
        "W06000012",
        "Neath Port Talbot County Borough Council",
        "Cyngor Bwrdeistref Sirol Castell-nedd Port Talbot",
        "RPB-WG",
    ),
    ("W06000013", "Bridgend County Borough Council", "Cyngor Bwrdeistref Sirol Pen-y-bont ar Ogwr", "RPB-CTM"),
    ("W06000014", "Vale of Glamorgan Council", "Cyngor Bro Morgannwg", "RPB-CV"),
    ("W06000015", "Cardiff Council", "Cyngor Caerdydd", "RPB-CV"),
    ("W06000016", "Rhondda Cynon Taf County Borough Council", "Cyngor Bwrdeistref Sirol Rhondda Cynon Taf", "RPB-CTM"),
    ("W06000018", "Caerphilly County Borough Council", "Cyngor Bwrdeistref Sirol Caerffili", "RPB-GW"),
    ("W06000019", "Blaenau Gwent County Borough Council", "Cyngor Bwrdeistref Sirol Blaenau Gwent", "RPB-GW"),
    ("W06000020", "Torfaen County Borough Council", "Cyngor Bwrdeistref Sirol Torfaen", "RPB-GW"),
    ("W06000021", "Monmouthshire County Council", "Cyngor Sir Fynwy", "RPB-GW"),
    ("W06000022", "Newport City Council", "Cyngor Dinas Casnewydd", "RPB-GW"),
    ("W06000023", "Powys County Council", "Cyngor Sir Powys", "RPB-PO"),
    ("W06000024", "Merthyr Tydfil County Borough Council", "Cyngor Bwrdeistref Sirol Merthyr Tudful", "RPB-CTM"),
]


def load(Organisation) -> None:  # noqa: N803 - the historical model class from apps.get_model
    """Create or update the reference organisations (idempotent)."""
    regions = {}
    for code, en, cy in REGIONS:
        regions[code], _ = Organisation.objects.update_or_create(
            code=code, defaults={"name_en": en, "name_cy": cy, "type": "rpb"}
        )
    for code, en, cy, region in HEALTH_BOARDS:
        Organisation.objects.update_or_create(
            code=code, defaults={"name_en": en, "name_cy": cy, "type": "health_board", "region": regions[region]}
        )
    for code, en, cy, region in LOCAL_AUTHORITIES:
        Organisation.objects.update_or_create(
            code=code, defaults={"name_en": en, "name_cy": cy, "type": "local_authority", "region": regions[region]}
        )
