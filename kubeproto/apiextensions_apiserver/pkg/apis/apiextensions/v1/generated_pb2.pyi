from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as _generated_pb2
from kubeproto.apimachinery.pkg.apis.meta.v1 import time_pb2 as _time_pb2
from kubeproto.apimachinery.pkg.runtime import raw_pb2 as _raw_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CustomResourceColumnDefinition(_message.Message):
    __slots__ = ("description", "format", "jsonPath", "name", "priority", "type")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    JSONPATH_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    description: str
    format: str
    jsonPath: str
    name: str
    priority: int
    type: str
    def __init__(self, description: _Optional[str] = ..., format: _Optional[str] = ..., jsonPath: _Optional[str] = ..., name: _Optional[str] = ..., priority: _Optional[int] = ..., type: _Optional[str] = ...) -> None: ...

class CustomResourceConversion(_message.Message):
    __slots__ = ("strategy", "webhook")
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    WEBHOOK_FIELD_NUMBER: _ClassVar[int]
    strategy: str
    webhook: WebhookConversion
    def __init__(self, strategy: _Optional[str] = ..., webhook: _Optional[_Union[WebhookConversion, _Mapping]] = ...) -> None: ...

class CustomResourceDefinition(_message.Message):
    __slots__ = ("metadata", "spec", "status")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    metadata: _generated_pb2.ObjectMeta
    spec: CustomResourceDefinitionSpec
    status: CustomResourceDefinitionStatus
    def __init__(self, metadata: _Optional[_Union[_generated_pb2.ObjectMeta, _Mapping]] = ..., spec: _Optional[_Union[CustomResourceDefinitionSpec, _Mapping]] = ..., status: _Optional[_Union[CustomResourceDefinitionStatus, _Mapping]] = ...) -> None: ...

class CustomResourceDefinitionCondition(_message.Message):
    __slots__ = ("lastTransitionTime", "message", "observedGeneration", "reason", "status", "type")
    LASTTRANSITIONTIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    OBSERVEDGENERATION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    lastTransitionTime: _time_pb2.Time
    message: str
    observedGeneration: int
    reason: str
    status: str
    type: str
    def __init__(self, lastTransitionTime: _Optional[_Union[_time_pb2.Time, _Mapping]] = ..., message: _Optional[str] = ..., observedGeneration: _Optional[int] = ..., reason: _Optional[str] = ..., status: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class CustomResourceDefinitionList(_message.Message):
    __slots__ = ("metadata", "items")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    metadata: _generated_pb2.ListMeta
    items: _containers.RepeatedCompositeFieldContainer[CustomResourceDefinition]
    def __init__(self, metadata: _Optional[_Union[_generated_pb2.ListMeta, _Mapping]] = ..., items: _Optional[_Iterable[_Union[CustomResourceDefinition, _Mapping]]] = ...) -> None: ...

class CustomResourceDefinitionNames(_message.Message):
    __slots__ = ("categories", "kind", "listKind", "plural", "shortNames", "singular")
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LISTKIND_FIELD_NUMBER: _ClassVar[int]
    PLURAL_FIELD_NUMBER: _ClassVar[int]
    SHORTNAMES_FIELD_NUMBER: _ClassVar[int]
    SINGULAR_FIELD_NUMBER: _ClassVar[int]
    categories: _containers.RepeatedScalarFieldContainer[str]
    kind: str
    listKind: str
    plural: str
    shortNames: _containers.RepeatedScalarFieldContainer[str]
    singular: str
    def __init__(self, categories: _Optional[_Iterable[str]] = ..., kind: _Optional[str] = ..., listKind: _Optional[str] = ..., plural: _Optional[str] = ..., shortNames: _Optional[_Iterable[str]] = ..., singular: _Optional[str] = ...) -> None: ...

class CustomResourceDefinitionSpec(_message.Message):
    __slots__ = ("conversion", "group", "names", "preserveUnknownFields", "scope", "versions")
    CONVERSION_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    PRESERVEUNKNOWNFIELDS_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    conversion: CustomResourceConversion
    group: str
    names: CustomResourceDefinitionNames
    preserveUnknownFields: bool
    scope: str
    versions: _containers.RepeatedCompositeFieldContainer[CustomResourceDefinitionVersion]
    def __init__(self, conversion: _Optional[_Union[CustomResourceConversion, _Mapping]] = ..., group: _Optional[str] = ..., names: _Optional[_Union[CustomResourceDefinitionNames, _Mapping]] = ..., preserveUnknownFields: _Optional[bool] = ..., scope: _Optional[str] = ..., versions: _Optional[_Iterable[_Union[CustomResourceDefinitionVersion, _Mapping]]] = ...) -> None: ...

class CustomResourceDefinitionStatus(_message.Message):
    __slots__ = ("acceptedNames", "conditions", "observedGeneration", "storedVersions")
    ACCEPTEDNAMES_FIELD_NUMBER: _ClassVar[int]
    CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    OBSERVEDGENERATION_FIELD_NUMBER: _ClassVar[int]
    STOREDVERSIONS_FIELD_NUMBER: _ClassVar[int]
    acceptedNames: CustomResourceDefinitionNames
    conditions: _containers.RepeatedCompositeFieldContainer[CustomResourceDefinitionCondition]
    observedGeneration: int
    storedVersions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, acceptedNames: _Optional[_Union[CustomResourceDefinitionNames, _Mapping]] = ..., conditions: _Optional[_Iterable[_Union[CustomResourceDefinitionCondition, _Mapping]]] = ..., observedGeneration: _Optional[int] = ..., storedVersions: _Optional[_Iterable[str]] = ...) -> None: ...

class CustomResourceDefinitionVersion(_message.Message):
    __slots__ = ("additionalPrinterColumns", "deprecated", "deprecationWarning", "name", "schema", "selectableFields", "served", "storage", "subresources")
    ADDITIONALPRINTERCOLUMNS_FIELD_NUMBER: _ClassVar[int]
    DEPRECATED_FIELD_NUMBER: _ClassVar[int]
    DEPRECATIONWARNING_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SELECTABLEFIELDS_FIELD_NUMBER: _ClassVar[int]
    SERVED_FIELD_NUMBER: _ClassVar[int]
    STORAGE_FIELD_NUMBER: _ClassVar[int]
    SUBRESOURCES_FIELD_NUMBER: _ClassVar[int]
    additionalPrinterColumns: _containers.RepeatedCompositeFieldContainer[CustomResourceColumnDefinition]
    deprecated: bool
    deprecationWarning: str
    name: str
    schema: CustomResourceValidation
    selectableFields: _containers.RepeatedCompositeFieldContainer[SelectableField]
    served: bool
    storage: bool
    subresources: CustomResourceSubresources
    def __init__(self, additionalPrinterColumns: _Optional[_Iterable[_Union[CustomResourceColumnDefinition, _Mapping]]] = ..., deprecated: _Optional[bool] = ..., deprecationWarning: _Optional[str] = ..., name: _Optional[str] = ..., schema: _Optional[_Union[CustomResourceValidation, _Mapping]] = ..., selectableFields: _Optional[_Iterable[_Union[SelectableField, _Mapping]]] = ..., served: _Optional[bool] = ..., storage: _Optional[bool] = ..., subresources: _Optional[_Union[CustomResourceSubresources, _Mapping]] = ...) -> None: ...

class CustomResourceSubresourceScale(_message.Message):
    __slots__ = ("labelSelectorPath", "specReplicasPath", "statusReplicasPath")
    LABELSELECTORPATH_FIELD_NUMBER: _ClassVar[int]
    SPECREPLICASPATH_FIELD_NUMBER: _ClassVar[int]
    STATUSREPLICASPATH_FIELD_NUMBER: _ClassVar[int]
    labelSelectorPath: str
    specReplicasPath: str
    statusReplicasPath: str
    def __init__(self, labelSelectorPath: _Optional[str] = ..., specReplicasPath: _Optional[str] = ..., statusReplicasPath: _Optional[str] = ...) -> None: ...

class CustomResourceSubresourceStatus(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CustomResourceSubresources(_message.Message):
    __slots__ = ("scale", "status")
    SCALE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    scale: CustomResourceSubresourceScale
    status: CustomResourceSubresourceStatus
    def __init__(self, scale: _Optional[_Union[CustomResourceSubresourceScale, _Mapping]] = ..., status: _Optional[_Union[CustomResourceSubresourceStatus, _Mapping]] = ...) -> None: ...

class CustomResourceValidation(_message.Message):
    __slots__ = ("openAPIV3Schema",)
    OPENAPIV3SCHEMA_FIELD_NUMBER: _ClassVar[int]
    openAPIV3Schema: JSONSchemaProps
    def __init__(self, openAPIV3Schema: _Optional[_Union[JSONSchemaProps, _Mapping]] = ...) -> None: ...

class ExternalDocumentation(_message.Message):
    __slots__ = ("description", "url")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    description: str
    url: str
    def __init__(self, description: _Optional[str] = ..., url: _Optional[str] = ...) -> None: ...

class JSONSchemaProps(_message.Message):
    __slots__ = ("ref", "schema", "additionalItems", "additionalProperties", "allOf", "anyOf", "default", "definitions", "dependencies", "description", "enum", "example", "exclusiveMaximum", "exclusiveMinimum", "externalDocs", "format", "id", "items", "maxItems", "maxLength", "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "multipleOf", "nullable", "oneOf", "pattern", "patternProperties", "properties", "required", "title", "type", "uniqueItems", "x_kubernetes_embedded_resource", "x_kubernetes_int_or_string", "x_kubernetes_list_map_keys", "x_kubernetes_list_type", "x_kubernetes_map_type", "x_kubernetes_preserve_unknown_fields", "x_kubernetes_validations")
    class DefinitionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: JSONSchemaProps
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[JSONSchemaProps, _Mapping]] = ...) -> None: ...
    class DependenciesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _raw_pb2.RawJSON
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_raw_pb2.RawJSON, _Mapping]] = ...) -> None: ...
    class PatternPropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: JSONSchemaProps
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[JSONSchemaProps, _Mapping]] = ...) -> None: ...
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: JSONSchemaProps
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[JSONSchemaProps, _Mapping]] = ...) -> None: ...
    REF_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    ADDITIONALITEMS_FIELD_NUMBER: _ClassVar[int]
    ADDITIONALPROPERTIES_FIELD_NUMBER: _ClassVar[int]
    ALLOF_FIELD_NUMBER: _ClassVar[int]
    ANYOF_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    DEFINITIONS_FIELD_NUMBER: _ClassVar[int]
    DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ENUM_FIELD_NUMBER: _ClassVar[int]
    EXAMPLE_FIELD_NUMBER: _ClassVar[int]
    EXCLUSIVEMAXIMUM_FIELD_NUMBER: _ClassVar[int]
    EXCLUSIVEMINIMUM_FIELD_NUMBER: _ClassVar[int]
    EXTERNALDOCS_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    MAXITEMS_FIELD_NUMBER: _ClassVar[int]
    MAXLENGTH_FIELD_NUMBER: _ClassVar[int]
    MAXPROPERTIES_FIELD_NUMBER: _ClassVar[int]
    MAXIMUM_FIELD_NUMBER: _ClassVar[int]
    MINITEMS_FIELD_NUMBER: _ClassVar[int]
    MINLENGTH_FIELD_NUMBER: _ClassVar[int]
    MINPROPERTIES_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    MULTIPLEOF_FIELD_NUMBER: _ClassVar[int]
    NOT_FIELD_NUMBER: _ClassVar[int]
    NULLABLE_FIELD_NUMBER: _ClassVar[int]
    ONEOF_FIELD_NUMBER: _ClassVar[int]
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    PATTERNPROPERTIES_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    UNIQUEITEMS_FIELD_NUMBER: _ClassVar[int]
    X_KUBERNETES_EMBEDDED_RESOURCE_FIELD_NUMBER: _ClassVar[int]
    X_KUBERNETES_INT_OR_STRING_FIELD_NUMBER: _ClassVar[int]
    X_KUBERNETES_LIST_MAP_KEYS_FIELD_NUMBER: _ClassVar[int]
    X_KUBERNETES_LIST_TYPE_FIELD_NUMBER: _ClassVar[int]
    X_KUBERNETES_MAP_TYPE_FIELD_NUMBER: _ClassVar[int]
    X_KUBERNETES_PRESERVE_UNKNOWN_FIELDS_FIELD_NUMBER: _ClassVar[int]
    X_KUBERNETES_VALIDATIONS_FIELD_NUMBER: _ClassVar[int]
    ref: str
    schema: str
    additionalItems: _raw_pb2.RawJSON
    additionalProperties: _raw_pb2.RawJSON
    allOf: _containers.RepeatedCompositeFieldContainer[JSONSchemaProps]
    anyOf: _containers.RepeatedCompositeFieldContainer[JSONSchemaProps]
    default: _raw_pb2.RawJSON
    definitions: _containers.MessageMap[str, JSONSchemaProps]
    dependencies: _containers.MessageMap[str, _raw_pb2.RawJSON]
    description: str
    enum: _containers.RepeatedCompositeFieldContainer[_raw_pb2.RawJSON]
    example: _raw_pb2.RawJSON
    exclusiveMaximum: bool
    exclusiveMinimum: bool
    externalDocs: ExternalDocumentation
    format: str
    id: str
    items: _raw_pb2.RawJSON
    maxItems: int
    maxLength: int
    maxProperties: int
    maximum: float
    minItems: int
    minLength: int
    minProperties: int
    minimum: float
    multipleOf: float
    nullable: bool
    oneOf: _containers.RepeatedCompositeFieldContainer[JSONSchemaProps]
    pattern: str
    patternProperties: _containers.MessageMap[str, JSONSchemaProps]
    properties: _containers.MessageMap[str, JSONSchemaProps]
    required: _containers.RepeatedScalarFieldContainer[str]
    title: str
    type: str
    uniqueItems: bool
    x_kubernetes_embedded_resource: bool
    x_kubernetes_int_or_string: bool
    x_kubernetes_list_map_keys: _containers.RepeatedScalarFieldContainer[str]
    x_kubernetes_list_type: str
    x_kubernetes_map_type: str
    x_kubernetes_preserve_unknown_fields: bool
    x_kubernetes_validations: _containers.RepeatedCompositeFieldContainer[ValidationRule]
    def __init__(self, ref: _Optional[str] = ..., schema: _Optional[str] = ..., additionalItems: _Optional[_Union[_raw_pb2.RawJSON, _Mapping]] = ..., additionalProperties: _Optional[_Union[_raw_pb2.RawJSON, _Mapping]] = ..., allOf: _Optional[_Iterable[_Union[JSONSchemaProps, _Mapping]]] = ..., anyOf: _Optional[_Iterable[_Union[JSONSchemaProps, _Mapping]]] = ..., default: _Optional[_Union[_raw_pb2.RawJSON, _Mapping]] = ..., definitions: _Optional[_Mapping[str, JSONSchemaProps]] = ..., dependencies: _Optional[_Mapping[str, _raw_pb2.RawJSON]] = ..., description: _Optional[str] = ..., enum: _Optional[_Iterable[_Union[_raw_pb2.RawJSON, _Mapping]]] = ..., example: _Optional[_Union[_raw_pb2.RawJSON, _Mapping]] = ..., exclusiveMaximum: _Optional[bool] = ..., exclusiveMinimum: _Optional[bool] = ..., externalDocs: _Optional[_Union[ExternalDocumentation, _Mapping]] = ..., format: _Optional[str] = ..., id: _Optional[str] = ..., items: _Optional[_Union[_raw_pb2.RawJSON, _Mapping]] = ..., maxItems: _Optional[int] = ..., maxLength: _Optional[int] = ..., maxProperties: _Optional[int] = ..., maximum: _Optional[float] = ..., minItems: _Optional[int] = ..., minLength: _Optional[int] = ..., minProperties: _Optional[int] = ..., minimum: _Optional[float] = ..., multipleOf: _Optional[float] = ..., nullable: _Optional[bool] = ..., oneOf: _Optional[_Iterable[_Union[JSONSchemaProps, _Mapping]]] = ..., pattern: _Optional[str] = ..., patternProperties: _Optional[_Mapping[str, JSONSchemaProps]] = ..., properties: _Optional[_Mapping[str, JSONSchemaProps]] = ..., required: _Optional[_Iterable[str]] = ..., title: _Optional[str] = ..., type: _Optional[str] = ..., uniqueItems: _Optional[bool] = ..., x_kubernetes_embedded_resource: _Optional[bool] = ..., x_kubernetes_int_or_string: _Optional[bool] = ..., x_kubernetes_list_map_keys: _Optional[_Iterable[str]] = ..., x_kubernetes_list_type: _Optional[str] = ..., x_kubernetes_map_type: _Optional[str] = ..., x_kubernetes_preserve_unknown_fields: _Optional[bool] = ..., x_kubernetes_validations: _Optional[_Iterable[_Union[ValidationRule, _Mapping]]] = ..., **kwargs) -> None: ...

class SelectableField(_message.Message):
    __slots__ = ("jsonPath",)
    JSONPATH_FIELD_NUMBER: _ClassVar[int]
    jsonPath: str
    def __init__(self, jsonPath: _Optional[str] = ...) -> None: ...

class ServiceReference(_message.Message):
    __slots__ = ("name", "namespace", "path", "port")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    name: str
    namespace: str
    path: str
    port: int
    def __init__(self, name: _Optional[str] = ..., namespace: _Optional[str] = ..., path: _Optional[str] = ..., port: _Optional[int] = ...) -> None: ...

class ValidationRule(_message.Message):
    __slots__ = ("fieldPath", "message", "messageExpression", "optionalOldSelf", "reason", "rule")
    FIELDPATH_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    MESSAGEEXPRESSION_FIELD_NUMBER: _ClassVar[int]
    OPTIONALOLDSELF_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    fieldPath: str
    message: str
    messageExpression: str
    optionalOldSelf: bool
    reason: str
    rule: str
    def __init__(self, fieldPath: _Optional[str] = ..., message: _Optional[str] = ..., messageExpression: _Optional[str] = ..., optionalOldSelf: _Optional[bool] = ..., reason: _Optional[str] = ..., rule: _Optional[str] = ...) -> None: ...

class WebhookClientConfig(_message.Message):
    __slots__ = ("caBundle", "service", "url")
    CABUNDLE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    caBundle: bytes
    service: ServiceReference
    url: str
    def __init__(self, caBundle: _Optional[bytes] = ..., service: _Optional[_Union[ServiceReference, _Mapping]] = ..., url: _Optional[str] = ...) -> None: ...

class WebhookConversion(_message.Message):
    __slots__ = ("clientConfig", "conversionReviewVersions")
    CLIENTCONFIG_FIELD_NUMBER: _ClassVar[int]
    CONVERSIONREVIEWVERSIONS_FIELD_NUMBER: _ClassVar[int]
    clientConfig: WebhookClientConfig
    conversionReviewVersions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, clientConfig: _Optional[_Union[WebhookClientConfig, _Mapping]] = ..., conversionReviewVersions: _Optional[_Iterable[str]] = ...) -> None: ...
