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
    "bike": "bicycle", "cycle": "bicycle", "auto": "car", "automobile": "car",
    "taxi": "car", "van": "car", "jeep": "car", "suv": "car", "motorbike": "motorcycle",
    "scooter": "motorcycle", "plane": "airplane", "aeroplane": "airplane", "jet": "airplane",
    "aircraft": "airplane", "ship": "boat", "yacht": "boat", "canoe": "boat", "lorry": "truck",
    "ball": "sports ball", "football": "sports ball", "soccer ball": "sports ball",
    "basketball": "sports ball", "tv": "tv", "tvs": "tv", "television": "tv", "monitor": "tv",
    "screen": "tv", "phone": "cell phone", "mobile": "cell phone", "smartphone": "cell phone",
    "cellphone": "cell phone", "sofa": "couch", "table": "dining table", "desk": "dining table",
    "plant": "potted plant", "fridge": "refrigerator", "glass": "wine glass", "mug": "cup",
    "puppy": "dog", "kitten": "cat", "kitty": "cat", "bag": "handbag", "purse": "handbag",
    "teddy": "teddy bear", "doughnut": "donut", "laptop computer": "laptop",
    "light": "traffic light", "hydrant": "fire hydrant", "sign": "stop sign",
    "umbrella": "umbrella", "bottle": "bottle", "cup": "cup", "chair": "chair",
    "stool": "chair", "barstool": "chair", "seat": "chair", "luggage": "suitcase",
    "seagull": "bird", "gull": "bird", "pigeon": "bird", "duck": "bird", "swan": "bird",
    "goose": "bird", "geese": "bird", "pony": "horse",
}

# Names for several COCO classes at once: "the drinks" may be cups, bottles or glasses.
OBJECT_GROUPS = {
    # NanoDet calls many vans and SUVs trucks; people call them cars.
    "car": ("car", "truck"),
    "vehicle": ("car", "truck", "bus", "motorcycle"),
    "drink": ("cup", "bottle", "wine glass"),
    "animal": ("bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra",
               "giraffe"),
}
OBJECT_GROUP_NAMES = {
    "vehicle": ("vehicle", "vehicles"),
    "drink": ("drink", "drinks", "beverage", "beer", "alcohol", "soda", "cocktail"),
    "animal": ("animal", "animals", "pet", "pets", "wildlife"),
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
    "everyone", "everybody", "female", "male", "priest", "pastor", "umpire", "referee",
    "coworker", "colleague", "monk", "nun", "boyfriend", "girlfriend", "ex", "kiddos",
    "skydiver", "diver", "paraglider", "cameraman", "gentlemen",
}
# Kept out of the encoder's names: "drinker" drew "the drinks" to people, "fan"/"model"/
# "figure" have object senses.
PEOPLE_ENCODER_SKIP = {"drinker", "fan", "fans", "model", "figure", "figures", "tech", "ex",
                       "police", "guard", "individual", "individuals"}
# A pronoun is a person only when it is the whole phrase ("remove her", not "her bag").
PRONOUNS = {"him", "her", "he", "she", "me", "myself", "himself", "herself", "us"}

# Things people ask to remove that no source here can find: the encoder compares phrases with
# these too, so "the pier" is recognised as unfindable instead of drifting to "boat".
CANNOT_FIND = (
    "text", "words", "letters", "writing", "watermark", "timestamp", "logo", "sticker", "emoji",
    "label", "graffiti", "flag", "banner", "poster", "wire", "power lines", "cable", "cord",
    "rope", "string", "pole", "post", "fence", "railing", "wall", "building", "house",
    "tower", "bridge", "pier", "road", "street", "sidewalk", "path", "parking lot",
    "tree", "branch", "grass", "bush", "flower", "leaf", "water", "sea", "river", "lake",
    "wave", "mountain", "hill", "rock", "sand", "snow", "ground", "floor", "ceiling", "roof",
    "window", "door", "curtain", "lamp", "shadow", "reflection", "glare", "lens flare",
    "hand", "arm", "leg", "foot", "finger", "hair", "eye", "tattoo", "shirt", "hat",
    "glasses", "jacket", "clothes", "trash", "garbage", "box", "paper", "stain", "spot",
    "scratch", "dust", "blemish", "pimple", "wrinkle", "statue", "tent", "stroller", "balloon",
    "net", "island", "hotel", "playground", "city", "crane", "scaffolding", "cap",
    "baseball cap", "land", "field", "broom", "mop", "bucket", "shovel", "rake", "tool", "toy",
    "pen", "cigarette", "wheel", "tire", "device", "gadget",
)
FACE_WORDS = {"face", "faces", "head", "heads"}
# Face parts (the face mesh, sources/faceparts.py): word -> part. Skin is the face's skin.
FACE_PART_WORDS = {
    "eye": "eyes", "eyes": "eyes", "iris": "eyes", "irises": "eyes", "pupil": "eyes",
    "pupils": "eyes", "eyeball": "eyes", "eyeballs": "eyes",
    "lip": "lips", "lips": "lips", "mouth": "mouth", "mouths": "mouth",
    "teeth": "teeth", "tooth": "teeth", "smile": "teeth", "smiles": "teeth",
    "eyebrow": "eyebrows", "eyebrows": "eyebrows", "brow": "eyebrows", "brows": "eyebrows",
    "skin": "skin", "complexion": "skin", "cheek": "skin", "cheeks": "skin",
}
SKY_WORDS = {"sky", "skies", "clouds", "cloud", "heaven"}
BACKGROUND_WORDS = {"background", "backdrop", "behind", "surroundings", "bg", "backround",
                    "backgound", "backgroud"}
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


# Which one of several: "the second person from the right", "the biggest car", "the two men".
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4, "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "last": -1}
COUNTS = {"two": 2, "both": 2, "pair": 2, "three": 3, "four": 4, "five": 5}
BIG_WORDS = {"biggest", "largest", "tallest", "big", "large", "huge", "bigger", "larger",
             "taller", "giant"}
SMALL_WORDS = {"smallest", "tiniest", "shortest", "small", "tiny", "smaller", "shorter"}
NEAR_WORDS = {"foreground", "front", "closest", "nearest", "closer", "nearer"}
FAR_WORDS = {"far", "farthest", "furthest", "distant", "further", "farther"}
# Words that qualify a head but never are one.
MODIFIER_WORDS = {"side", "one", "ones", "very", "most", "half", "whole", "entire", "my", "our",
                  "your", "bit", "little", "just", "only", "both", "whose", "there", "here",
                  "standing", "sitting", "walking", "looking", "older", "old", "young",
                  "younger", "blonde", "bald", "tall", "short", "fat", "thin"}
# Words after which a noun phrase's head is over: "the man [on the left]".
PREPOSITIONS = {"in", "on", "at", "of", "from", "behind", "near", "next", "by", "with",
                "under", "over", "above", "below", "beside", "between", "who", "that", "which",
                "wearing", "holding", "to", "into", "out", "off", "around", "across", "inside",
                "outside", "along", "against", "beneath", "underneath", "except", "but"}
