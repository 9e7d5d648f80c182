"""Amazon VPC CNI: pods on addresses of the VPC's own subnets, custom networking by ENIConfig."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.aws_vpc_cni import rules  # noqa: F401  (registers the kit's rules)
from netarch.kits.aws_vpc_cni.views import VIEWS

KIT = Kit(
    name="aws_vpc_cni",
    title="Amazon VPC CNI",
    products=("aws-vpc-cni",),
    views=VIEWS,
    # Shipped with and documented for Amazon EKS.
    also_known_as=("EKS", "Amazon EKS", "AWS"),
    folder=Path(__file__).parent,
)
