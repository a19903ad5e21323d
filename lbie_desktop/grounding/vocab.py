"""Words people use for regions: COCO-80 classes with synonyms, colours, places, tones."""

from __future__ import annotations

COCO80 = (
    "person bicycle car motorcycle airplane bus train truck boat traffic_light fire_hydrant "
    "stop_sign parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe "
    "backpack umbrella handbag tie suitcase frisbee skis snowboard sports_ball kite "
    "baseball_bat baseball_glove skateboard surfboard tennis_racket bottle wine_glass cup fork "
    "knife spoon bowl banana apple sandwich orange broccoli carrot hot_dog pizza donut cake "
    "chair couch potted_plant bed dining_table toilet tv laptop mouse remote keyboard "
    "cell_phone microwave oven toaster sink refrigerator book clock vase scissors teddy_bear "
    "hair_drier toothbrush"
).split()
COCO80 = tuple(c.replace("_", " ") for c in COCO80)

# Extra names -> COCO class. Plurals are handled by the tokenizer.
OBJECT_SYNONYMS = {
    "bike": "bicycle", "cycle": "bicycle", "auto": "car", "automobile": "car", "vehicle": "car",
    "taxi": "car", "van": "car", "jeep": "car", "suv": "car", "motorbike": "motorcycle",
    "scooter": "motorcycle", "plane": "airplane", "aeroplane": "airplane", "jet": "airplane",
    "aircraft": "airplane", "ship": "boat", "yacht": "boat", "canoe": "boat", "lorry": "truck",
    "ball": "sports ball", "football": "sports ball", "soccer ball": "sports ball",
    "basketball": "sports ball", "tv": "tv", "television": "tv", "monitor": "tv",
    "screen": "tv", "phone": "cell phone", "mobile": "cell phone", "smartphone": "cell phone",
    "cellphone": "cell phone", "sofa": "couch", "table": "dining table", "desk": "dining table",
    "plant": "potted plant", "fridge": "refrigerator", "glass": "wine glass", "mug": "cup",
    "puppy": "dog", "kitten": "cat", "kitty": "cat", "bag": "handbag", "purse": "handbag",
    "teddy": "teddy bear", "doughnut": "donut", "laptop computer": "laptop",
    "light": "traffic light", "hydrant": "fire hydrant", "sign": "stop sign",
    "umbrella": "umbrella", "bottle": "bottle", "cup": "cup", "chair": "chair",
}

PEOPLE_WORDS = {
    "person", "people", "man", "men", "woman", "women", "boy", "boys", "girl", "girls",
    "child", "children", "kid", "kids", "lady", "ladies", "guy", "guys", "gentleman",
    "tourist", "tourists", "crowd", "human", "humans", "player", "players", "pedestrian",
    "pedestrians", "someone", "somebody", "figure", "figures", "bystander", "bystanders",
    "couple", "baby", "toddler", "adult", "adults", "spectator", "spectators", "passerby",
    "passersby", "individual", "individuals", "stranger", "strangers", "photobomber",
    # relatives and roles people name in removal requests (GIER: "my cousin", "the surfer")
    "cousin", "brother", "sister", "mom", "mum", "dad", "mother", "father", "parent", "parents",
    "friend", "friends", "wife", "husband", "son", "daughter", "grandma", "grandpa",
    "grandmother", "grandfather", "uncle", "aunt", "bride", "groom", "family", "teen",
    "teenager", "student", "photographer", "surfer", "skier", "skater", "cyclist", "biker",
    "rider", "driver", "runner", "swimmer", "dancer", "singer", "musician", "waiter",
    "waitress", "worker", "workers", "officer", "policeman", "police", "guard", "soldier",
    "drinker", "tech", "lad", "gal", "dude", "fan", "fans", "audience", "visitor", "visitors",
    "hiker", "hikers", "fisherman", "model", "lifeguard", "nurse", "doctor", "bartender",
    "onlooker", "onlookers", "mime", "clown", "chef", "cop", "cops", "kiddo", "infant",
}
FACE_WORDS = {"face", "faces", "head", "heads", "skin"}
SKY_WORDS = {"sky", "skies", "clouds", "cloud", "heaven"}
BACKGROUND_WORDS = {"background", "backdrop", "behind", "surroundings", "bg"}
SUBJECT_WORDS = {"subject", "foreground", "main", "object", "objects", "thing"}
SHADOW_WORDS = {"shadow", "shadows", "dark", "darks", "dark areas", "lowlights"}
HIGHLIGHT_WORDS = {"highlight", "highlights", "bright", "brights", "light areas"}
MIDTONE_WORDS = {"midtone", "midtones"}

# Spatial words -> a key the spatial source understands.
SPATIAL = {
    "left": "left", "right": "right", "top": "top", "upper": "top", "above": "top",
    "bottom": "bottom", "lower": "bottom", "below": "bottom", "center": "centre",
    "centre": "centre", "middle": "centre", "corner": "corner", "corners": "corner",
    "edges": "edges", "border": "edges", "borders": "edges",
}

# Colour names -> (hue in degrees or None for achromatic, kind).
COLOURS = {
    "red": (0, "hue"), "orange": (30, "hue"), "yellow": (55, "hue"), "green": (120, "hue"),
    "cyan": (180, "hue"), "teal": (175, "hue"), "blue": (220, "hue"), "purple": (280, "hue"),
    "violet": (275, "hue"), "pink": (330, "hue"), "magenta": (310, "hue"),
    "brown": (25, "brown"), "white": (None, "white"), "black": (None, "black"),
    "grey": (None, "grey"), "gray": (None, "grey"),
}

STOP = {"the", "a", "an", "of", "in", "on", "at", "to", "all", "any", "some", "this",
        "that", "these", "those", "and", "with", "from", "side", "part", "area", "areas",
        "region", "image", "photo", "picture", "pic", "its", "their", "his", "her", "is",
        "are", "other", "others", "extra", "random", "unwanted", "two", "three", "few",
        "every", "each", "one", "ones", "standing", "sitting", "walking"}


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word
