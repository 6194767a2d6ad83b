package io.github.cdkcognitoimpersonation.example;

import io.github.cdkcognitoimpersonation.CognitoImpersonation;
import io.github.cdkcognitoimpersonation.ImpersonationStrategy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.cognito.AuthFlow;
import software.amazon.awscdk.services.cognito.CfnUserPool;
import software.amazon.awscdk.services.cognito.CfnUserPoolGroup;
import software.amazon.awscdk.services.cognito.Mfa;
import software.amazon.awscdk.services.cognito.MfaSecondFactor;
import software.amazon.awscdk.services.cognito.SignInAliases;
import software.amazon.awscdk.services.cognito.UserPool;
import software.amazon.awscdk.services.cognito.UserPoolClient;
import software.amazon.awscdk.services.cognito.UserPoolClientOptions;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/** The README's example app in Java: one stack per impersonation strategy (see pom.xml). */
public final class ExampleApp {
  private static final Map<String, Supplier<ImpersonationStrategy>> STRATEGIES = new LinkedHashMap<>();

  static {
    STRATEGIES.put("preTokenGeneration", ImpersonationStrategy::preTokenGeneration);
    STRATEGIES.put("customChallenge", ImpersonationStrategy::customChallenge);
    STRATEGIES.put("groups", ImpersonationStrategy::groups);
  }

  /** A new user pool with support-staff impersonation by the given strategy. */
  static final class ImpersonationExampleStack extends Stack {
    ImpersonationExampleStack(final Construct scope, final String id, final ImpersonationStrategy strategy) {
      super(scope, id);

      UserPool userPool = UserPool.Builder.create(this, "UserPool")
          .signInAliases(SignInAliases.builder().email(true).build())
          .mfa(Mfa.OPTIONAL)
          .mfaSecondFactor(MfaSecondFactor.builder().otp(true).sms(false).build())
          .build();
      // V2_0 trigger events (claims in access tokens) need the Essentials or Plus feature plan.
      ((CfnUserPool) userPool.getNode().getDefaultChild()).addPropertyOverride("UserPoolTier", "ESSENTIALS");
      UserPoolClient client = userPool.addClient("SupportConsoleClient", UserPoolClientOptions.builder()
          .authFlows(AuthFlow.builder().userSrp(true).build())
          .build());

      // Who may impersonate, and a group whose members nobody may impersonate.
      CfnUserPoolGroup.Builder.create(this, "SupportGroup")
          .userPoolId(userPool.getUserPoolId()).groupName("support-impersonators").build();
      CfnUserPoolGroup.Builder.create(this, "FinanceGroup")
          .userPoolId(userPool.getUserPoolId()).groupName("finance-admins").build();

      CognitoImpersonation impersonation = CognitoImpersonation.Builder.create(this, "Impersonation")
          .userPool(userPool)
          .strategy(strategy)
          .adminGroupName("support-impersonators")
          .protectedGroupNames(List.of("finance-admins"))
          .build();

      if (impersonation.getBrokerFunction() != null) {
        // The support console's backend: may call the broker, which still checks the admin's token.
        Role supportConsole = Role.Builder.create(this, "SupportConsoleRole")
            .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
            .description("Backend of the support console")
            .build();
        impersonation.grantImpersonate(supportConsole);
        CfnOutput.Builder.create(this, "BrokerFunctionName")
            .value(impersonation.getBrokerFunction().getFunctionName()).build();
      }
      if (impersonation.getSessionScheduleGroupName() != null) {
        CfnOutput.Builder.create(this, "SessionScheduleGroup")
            .value(impersonation.getSessionScheduleGroupName()).build();
      }
      CfnOutput.Builder.create(this, "UserPoolId").value(userPool.getUserPoolId()).build();
      CfnOutput.Builder.create(this, "ClientId").value(client.getUserPoolClientId()).build();
      CfnOutput.Builder.create(this, "AuditLogGroup")
          .value(impersonation.getAuditLogGroup().getLogGroupName()).build();
    }
  }

  public static void main(final String[] args) {
    App app = new App(AppProps.builder().outdir("cdk.out").build());
    Map<String, Stack> stacks = new LinkedHashMap<>();
    STRATEGIES.forEach((name, strategy) ->
        stacks.put(name, new ImpersonationExampleStack(app, "CognitoImpersonationJava-" + name, strategy.get())));
    CloudAssembly assembly = app.synth();

    System.out.printf("Synthesized %d stacks into %s/%n", stacks.size(),
        Path.of("").toAbsolutePath().relativize(Path.of(assembly.getDirectory()).toAbsolutePath()));
    stacks.forEach((name, stack) -> {
      @SuppressWarnings("unchecked")
      Map<String, Object> template = (Map<String, Object>) assembly.getStackByName(stack.getStackName()).getTemplate();
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> resources = (Map<String, Map<String, Object>>) template.get("Resources");
      Map<String, Integer> perType = new TreeMap<>();
      resources.values().forEach(r -> perType.merge((String) r.get("Type"), 1, Integer::sum));
      System.out.printf("%n%s (%s): %d resources%n", stack.getStackName(), name, resources.size());
      perType.forEach((type, count) -> System.out.printf("  %3d  %s%n", count, type));
    });
  }
}
