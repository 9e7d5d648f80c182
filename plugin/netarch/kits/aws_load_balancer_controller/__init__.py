"""AWS Load Balancer Controller: NLBs for Services, ALBs for Ingresses, instance or IP targets."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.aws_load_balancer_controller import rules  # noqa: F401  (registers its rules)

KIT = Kit(
    name="aws_load_balancer_controller",
    title="AWS Load Balancer Controller",
    products=("aws-load-balancer-controller",),
    # Shipped with and documented for Amazon EKS.
    also_known_as=("EKS", "Amazon EKS", "AWS"),
    folder=Path(__file__).parent,
)
