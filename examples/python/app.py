"""The README's example app in Python: one stack per impersonation strategy.

CI (.ci/run) runs it with the wheel jsii-pacmak builds, installed next to aws-cdk-lib into a
virtual environment, to prove the Python binding synthesizes what the TypeScript one does:

    python examples/python/app.py        # synthesizes into examples/python/cdk.out/

Deploy one stack with the CDK CLI (`npx cdk deploy --app examples/python/cdk.out <stack>`)
in an account of yours.
"""

import collections
import os

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from cdk_cognito_impersonation import CognitoImpersonation, ImpersonationStrategy

STRATEGIES = {
    "preTokenGeneration": ImpersonationStrategy.pre_token_generation,
    "customChallenge": ImpersonationStrategy.custom_challenge,
    "groups": ImpersonationStrategy.groups,
}


class ImpersonationExampleStack(cdk.Stack):
    """A new user pool with support-staff impersonation by the given strategy."""

    def __init__(self, scope, construct_id, strategy, **kwargs):
        super().__init__(scope, construct_id, **kwargs)

        user_pool = cognito.UserPool(
            self,
            "UserPool",
            sign_in_aliases=cognito.SignInAliases(email=True),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
        )
        # V2_0 trigger events (claims in access tokens) need the Essentials or Plus feature plan.
        user_pool.node.default_child.add_property_override("UserPoolTier", "ESSENTIALS")
        client = user_pool.add_client(
            "SupportConsoleClient", auth_flows=cognito.AuthFlow(user_srp=True)
        )

        # Who may impersonate, and a group whose members nobody may impersonate.
        cognito.CfnUserPoolGroup(
            self, "SupportGroup", user_pool_id=user_pool.user_pool_id, group_name="support-impersonators"
        )
        cognito.CfnUserPoolGroup(
            self, "FinanceGroup", user_pool_id=user_pool.user_pool_id, group_name="finance-admins"
        )

        impersonation = CognitoImpersonation(
            self,
            "Impersonation",
            user_pool=user_pool,
            strategy=STRATEGIES[strategy](),
            admin_group_name="support-impersonators",
            protected_group_names=["finance-admins"],
        )

        if impersonation.broker_function:
            # The support console's backend: may call the broker, which still checks the admin's token.
            support_console = iam.Role(
                self,
                "SupportConsoleRole",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description="Backend of the support console",
            )
            impersonation.grant_impersonate(support_console)
            cdk.CfnOutput(self, "BrokerFunctionName", value=impersonation.broker_function.function_name)
        if impersonation.session_schedule_group_name:
            cdk.CfnOutput(self, "SessionScheduleGroup", value=impersonation.session_schedule_group_name)

        cdk.CfnOutput(self, "UserPoolId", value=user_pool.user_pool_id)
        cdk.CfnOutput(self, "ClientId", value=client.user_pool_client_id)
        cdk.CfnOutput(self, "AuditLogGroup", value=impersonation.audit_log_group.log_group_name)


def main():
    app = cdk.App(outdir=os.path.join(os.path.dirname(os.path.abspath(__file__)), "cdk.out"))
    stacks = {
        name: ImpersonationExampleStack(app, f"CognitoImpersonationPython-{name}", name)
        for name in STRATEGIES
    }
    assembly = app.synth()

    print(f"Synthesized {len(stacks)} stacks into {os.path.relpath(assembly.directory)}/")
    for name, stack in stacks.items():
        resources = assembly.get_stack_by_name(stack.stack_name).template.get("Resources", {})
        per_type = collections.Counter(r["Type"] for r in resources.values())
        print(f"\n{stack.stack_name} ({name}): {len(resources)} resources")
        for resource_type, count in sorted(per_type.items()):
            print(f"  {count:3d}  {resource_type}")


if __name__ == "__main__":
    main()
