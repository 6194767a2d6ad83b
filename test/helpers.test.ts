import { assertAcyclic } from './helpers';

test('assertAcyclic finds a cycle through Ref, GetAtt and DependsOn', () => {
  expect(() => assertAcyclic({
    Resources: {
      Pool: { Properties: { LambdaConfig: { Fn: { 'Fn::GetAtt': ['Fn', 'Arn'] } } } },
      Fn: { Properties: { Environment: { Client: { Ref: 'Client' } } } },
      Client: { Properties: { Pool: { Ref: 'Pool' } } },
    },
  })).toThrow('circular reference: Pool -> Fn -> Client -> Pool');
  expect(() => assertAcyclic({ Resources: { A: { DependsOn: ['B'] }, B: { DependsOn: 'A' } } })).toThrow(/circular/);
});

test('assertAcyclic accepts a DAG', () => {
  expect(() => assertAcyclic({
    Resources: { A: { Properties: { X: { Ref: 'B' } } }, B: { Properties: { Y: { 'Fn::Sub': '${C.Arn}' } } }, C: {} },
  })).not.toThrow();
});
