using Mlops.Core.DependencyInjection;

namespace Mlops.DataVersioning.DependencyInjection;

/// <summary>The builder returned by <c>AddMlopsDataVersioning</c>; storage packages add remote factories and remotes through it.</summary>
public interface IMlopsDataVersioningBuilder : IMlopsBuilder;
