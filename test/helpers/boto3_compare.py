"""Compare items in DynamoDB with what boto3's TypeSerializer makes of the
same values: the reference a DynamoDB user would expect.

usage: boto3_compare.py ITEM_JSON_LINE EXPECTED_VALUES_JSON
ITEM_JSON_LINE is one line of `test/helpers/ddb dump` (DynamoDB JSON); the values
are plain JSON (numbers read as Decimal, arrays as lists, objects as maps).
Numbers are compared by value, as DynamoDB normalizes them.  Prints one
line per attribute: "same NAME" or "DIFFERENT NAME: ours ... boto3 ...".
"""
import json
import sys
from decimal import Decimal

from boto3.dynamodb.types import TypeSerializer


def normalize(av):
    """DynamoDB JSON with every number in canonical form."""
    if isinstance(av, dict):
        out = {}
        for k, v in av.items():
            if k == "N":
                out[k] = format(Decimal(v).normalize(), "f")
            elif k == "NS":
                out[k] = sorted(format(Decimal(x).normalize(), "f") for x in v)
            elif k in ("SS", "BS"):
                out[k] = sorted(v)
            else:
                out[k] = normalize(v)
        return out
    if isinstance(av, list):
        return [normalize(x) for x in av]
    return av


def main():
    item = json.loads(sys.argv[1])
    values = json.loads(sys.argv[2], parse_float=Decimal, parse_int=int)
    ser = TypeSerializer()
    for name in sorted(values):
        ours = normalize(item.get(name))
        theirs = normalize(json.loads(json.dumps(ser.serialize(values[name]), default=str)))
        if ours == theirs:
            print(f"same {name}")
        else:
            print(f"DIFFERENT {name}: ours {json.dumps(ours)} boto3 {json.dumps(theirs)}")


if __name__ == "__main__":
    main()
