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
    # aws-node's environment (amazon-vpc-cni-k8s README): booleans as the chart writes them.
    settings={
        "WARM_ENI_TARGET": {"type": "integer", "minimum": 0},
        "WARM_IP_TARGET": {"type": "integer", "minimum": 0},
        "MINIMUM_IP_TARGET": {"type": "integer", "minimum": 0},
        "WARM_PREFIX_TARGET": {"type": "integer", "minimum": 0},
        "AWS_VPC_ENI_MTU": {"type": "integer", "minimum": 576, "maximum": 9001},
        "POD_MTU": {"type": "integer", "minimum": 576, "maximum": 9001},
        "POD_SECURITY_GROUP_ENFORCING_MODE": {"enum": ["strict", "standard"]},
        "NETWORK_POLICY_ENFORCING_MODE": {"enum": ["standard", "strict"]},
        "AWS_VPC_K8S_CNI_RANDOMIZESNAT": {"enum": ["none", "hashrandom", "prng"]},
        **{
            key: {"enum": [True, False, "true", "false"]}
            for key in (
                "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG",
                "AWS_VPC_K8S_CNI_EXTERNALSNAT",
                "ENABLE_PREFIX_DELEGATION",
                "ENABLE_POD_ENI",
                "ANNOTATE_POD_IP",
                "ENABLE_SUBNET_DISCOVERY",
            )
        },
    },
)
