import factory
from factory.django import DjangoModelFactory

from services.models import Body, Category, Material, ServiceItem
from villages.actions import user_set_role
from villages.models import User, Village


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password("test-password")

    @factory.post_generation
    def role_group(obj, create, extracted, **kwargs):
        if create:
            user_set_role(user=obj, role=obj.role, village=obj.village)


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Village

    code = factory.Sequence(lambda n: f"340123199{n:03d}")
    name = factory.Sequence(lambda n: f"测试村{n}")
    kind = Village.Kind.VILLAGE
    committee_name = factory.LazyAttribute(lambda o: f"{o.name}村民委员会")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"test-category-{n}")
    prefix = factory.Sequence(lambda n: f"T{n:02d}")
    name = factory.Sequence(lambda n: f"测试类别{n}")


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = Body

    code = factory.Sequence(lambda n: f"test-body-{n}")
    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = Body.Kind.BUREAU


class ServiceItemFactory(DjangoModelFactory):
    class Meta:
        model = ServiceItem

    code = factory.Sequence(lambda n: f"HG-TS-{n:03d}")
    name = factory.Sequence(lambda n: f"测试事项{n}")
    category = factory.SubFactory(CategoryFactory)
    body = factory.SubFactory(BodyFactory)
    item_type = ServiceItem.ItemType.PUBLIC_SERVICE
    accept_level = "village"
    decide_level = "town"
    conditions = "本镇户籍居民"
    legal_basis = "《测试条例》"
    steps = ["提交材料", "受理", "办结"]
    promised_days = 5
    fee = "不收费"
    place = "花岗镇为民服务中心"
    hours = "周一至周五"
    inquiry_phone = "0551-00000000"
    complaint_phone = "0551-00000001"
    visits = 1
    delivery = "窗口领取"
    allows_agency = True
    source = ServiceItem.Source.DEMO


class MaterialFactory(DjangoModelFactory):
    class Meta:
        model = Material

    item = factory.SubFactory(ServiceItemFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "居民身份证"
