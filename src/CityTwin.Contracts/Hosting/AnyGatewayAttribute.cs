using Orleans.CodeGeneration;

namespace CityTwin.Contracts.Hosting;

/// <summary>
/// A read whose order against the caller's other calls does not matter. Orleans' client sends every call to a grain
/// through the one gateway it pins the grain to (by a hash of its id), so a read sent again because its gateway went
/// silent would take that same gateway; a call marked unordered takes the next gateway in turn instead
/// (<see cref="InvokeMethodOptions.Unordered"/>, which Orleans' obsolete <c>[Unordered]</c> no longer sets). Only the
/// client looks at it: silos deliver and run the call as any other. Used with the API's <c>GatewayLoss.ReadAsync</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[InvokableCustomInitializer(nameof(IRequest.AddInvokeMethodOptions), InvokeMethodOptions.Unordered)]
public sealed class AnyGatewayAttribute : Attribute;
